#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "edge/gateway/console_assets.hpp"
#include "edge/gateway/console_views.hpp"

namespace reservo::edge::console {
namespace {

namespace bj = boost::json;

Config FromYaml(const std::string& yaml, std::map<std::string, std::string> env = {}) {
    return Config::FromYaml(yaml,
                            [env](const std::string& name) -> std::optional<std::string> {
                                auto it = env.find(name);
                                if (it == env.end()) return std::nullopt;
                                return it->second;
                            })
        .value();
}

TEST(ConsoleTest, EveryEmbeddedAssetHasAKnownTypeAndAStrongETag) {
    ASSERT_FALSE(ConsoleAssets().empty());
    std::set<std::string_view> paths;
    bool index = false;
    for (const ConsoleAsset& asset : ConsoleAssets()) {
        EXPECT_NE(ContentTypeOf(asset.path), "application/octet-stream") << asset.path;
        EXPECT_TRUE(asset.etag.size() > 2 && asset.etag.front() == '"' && asset.etag.back() == '"') << asset.etag;
        EXPECT_TRUE(paths.insert(asset.etag).second) << "two assets share the ETag " << asset.etag;
        index = index || asset.path == "index.html";
    }
    EXPECT_TRUE(index);
}

TEST(ConsoleTest, ContentTypesByExtension) {
    EXPECT_EQ(ContentTypeOf("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(ContentTypeOf("js/app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(ContentTypeOf("app.css"), "text/css; charset=utf-8");
    EXPECT_EQ(ContentTypeOf("logo.svg"), "image/svg+xml");
    EXPECT_EQ(ContentTypeOf("logo.png"), "image/png");
    EXPECT_EQ(ContentTypeOf("data.json"), "application/json");
    EXPECT_EQ(ContentTypeOf("notes"), "application/octet-stream");
}

TEST(ConsoleTest, IfNoneMatchComparesWeakly) {
    EXPECT_TRUE(IfNoneMatchHits(R"("abc")", R"("abc")"));
    EXPECT_TRUE(IfNoneMatchHits(R"("x", W/"abc")", R"("abc")"));
    EXPECT_TRUE(IfNoneMatchHits("*", R"("abc")"));
    EXPECT_FALSE(IfNoneMatchHits(R"("abd")", R"("abc")"));
    EXPECT_FALSE(IfNoneMatchHits("", R"("abc")"));
}

constexpr const char* kSystem = R"(
system: demo
gateway:
  auth: {token-service: oauth, issuer: i, audience: a, read-scope: read, write-scope: write}
services:
  - name: oauth
    routes: [/oauth/**]
    clients:
      machine: {secret: m, grants: [client_credentials], scopes: [read]}
      web: {secret: web-secret, grants: [password], scopes: [read, write]}
  - name: orders
    routes: [/orders/**]
    internal: [POST /orders]
    publishes: [OrderPlaced]
    consumes: [Paid]
  - name: payment
    routes: [/payments/**]
    publishes: [Paid]
    dependencies:
      orders: {timeout-ms: 100}
)";

TEST(ConsoleTest, TheSystemsPictureFollowsItsYaml) {
    bj::object picture = SystemPicture(FromYaml(kSystem));
    EXPECT_EQ(picture.at("system"), "demo");
    EXPECT_EQ(bj::serialize(picture.at("auth")),
              R"({"tokenUrl":"/oauth/token","grantType":"password","clientId":"web","clientSecret":"web-secret",)"
              R"("scopes":["read","write"]})");
    EXPECT_EQ(bj::serialize(picture.at("services")),
              R"([{"name":"oauth","routes":["/oauth/**"],"internal":[],"calls":[],"publishes":[],"consumes":[]},)"
              R"({"name":"orders","routes":["/orders/**"],"internal":["POST /orders"],"calls":[],)"
              R"("publishes":["OrderPlaced"],"consumes":["Paid"]},)"
              R"({"name":"payment","routes":["/payments/**"],"internal":[],"calls":["orders"],)"
              R"("publishes":["Paid"],"consumes":[]}])");
}

TEST(ConsoleTest, ASecretSetByTheEnvironmentIsNeverShown) {
    bj::object picture = SystemPicture(FromYaml(kSystem, {{"RESERVO_SERVICES_OAUTH_CLIENTS_WEB_SECRET", "real"}}));
    const bj::object& auth = picture.at("auth").as_object();
    EXPECT_EQ(auth.at("clientId"), "web");
    EXPECT_FALSE(auth.contains("clientSecret"));
    EXPECT_EQ(bj::serialize(SystemPicture(FromYaml("system: open\nservices: [{name: a}]\n")).at("auth")), "false");
}

constexpr const char* kMetrics = R"(# HELP reservo_consumer_lag Events not yet applied
# TYPE reservo_consumer_lag gauge
reservo_consumer_lag{group="mypage",partition="0",topic="vaccine"} 2
reservo_consumer_lag{group="mypage",partition="3",topic="vaccine"} 5
reservo_consumer_lag_other 100
reservo_outbox_backlog{topic="vaccine"} 1
reservo_dead_letters{group="mypage"} 3
resilience4j_circuitbreaker_state{name="vaccine-mgmt",state="closed"} 0
resilience4j_circuitbreaker_state{name="vaccine-mgmt",state="open"} 1
resilience4j_circuitbreaker_state{name="payment",state="half_open"} 1
resilience4j_circuitbreaker_state{name="payment",state="closed"} 0
odd{label="a \"quoted\" } brace"} 7 1700000000
broken{label="x} 1
)";

TEST(ConsoleTest, PrometheusSamplesAreSummedPerFamily) {
    auto samples = ParsePrometheus(kMetrics);
    EXPECT_EQ(SumOf(samples, "reservo_consumer_lag"), 7);
    EXPECT_EQ(SumOf(samples, "reservo_outbox_backlog"), 1);
    EXPECT_EQ(SumOf(samples, "missing"), std::nullopt);
    EXPECT_EQ(SumOf(samples, "odd"), 7);
    EXPECT_EQ(SumOf(samples, "broken"), std::nullopt);
    EXPECT_EQ(bj::serialize(CircuitsFrom(samples)),
              R"([{"name":"payment","state":"HALF_OPEN"},{"name":"vaccine-mgmt","state":"OPEN"}])");
}

TEST(ConsoleTest, AServiceStatusFromWhatItAnswered) {
    ServiceAnswers up{.health_status = 200,
                      .health_body = R"({"status":"UP","components":{"readinessState":{"status":"UP"}}})",
                      .prometheus = std::string(kMetrics)};
    EXPECT_EQ(bj::serialize(ServiceStatus("mypage", up)),
              R"({"name":"mypage","health":"UP","readiness":"UP","circuits":[{"name":"payment","state":"HALF_OPEN"},)"
              R"({"name":"vaccine-mgmt","state":"OPEN"}],"consumerLag":7,"outboxBacklog":1,"deadLetters":3})");

    // Down with a component, its readiness state still UP; circuits from the health when the
    // metrics did not answer.
    ServiceAnswers down{.health_status = 503,
                        .health_body =
                            R"({"status":"DOWN","components":{"readinessState":{"status":"UP"},)"
                            R"("circuitBreakers":{"status":"UNKNOWN","details":{"payment":{"status":"CIRCUIT_OPEN",)"
                            R"("details":{"state":"OPEN"}}}}}})"};
    EXPECT_EQ(bj::serialize(ServiceStatus("hotel", down)),
              R"({"name":"hotel","health":"DOWN","readiness":"UP","circuits":[{"name":"payment","state":"OPEN"}],)"
              R"("consumerLag":null,"outboxBacklog":null,"deadLetters":null})");

    ServiceAnswers gone{.health_error = "connection refused"};
    bj::object unreachable = ServiceStatus("notification", gone);
    EXPECT_EQ(unreachable.at("health"), "UNREACHABLE");
    EXPECT_EQ(unreachable.at("readiness"), "UNREACHABLE");
    EXPECT_EQ(unreachable.at("error"), "connection refused");

    // A service without a consumer or an outbox has nothing waiting.
    ServiceAnswers bare{.health_status = 200, .health_body = R"({"status":"UP"})", .prometheus = ""};
    EXPECT_EQ(bj::serialize(ServiceStatus("oauth", bare)),
              R"({"name":"oauth","health":"UP","readiness":"UP","circuits":[],"consumerLag":0,"outboxBacklog":0,)"
              R"("deadLetters":0})");
}

TEST(ConsoleTest, AnEventEntryCarriesItsTraceAndPlace) {
    messaging::Record record{.partition = 2, .offset = 41};
    record.event = messaging::CloudEvent::New("/vaccine/reservation", "VaccineReserved", "7", {{"reservationId", 7}},
                                              "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    bj::object entry = EventEntry(record);
    EXPECT_EQ(entry.at("traceId"), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(entry.at("partition"), 2);
    EXPECT_EQ(entry.at("offset"), 41);
    EXPECT_EQ(entry.at("subject"), "7");
    EXPECT_EQ(entry.at("type"), "VaccineReserved");
    EXPECT_EQ(entry.at("data").at("reservationId"), 7);
    record.event.traceparent.clear();
    EXPECT_EQ(EventEntry(record).at("traceId"), "");
}

TEST(ConsoleTest, ADeadLetterNamesItsService) {
    bj::object entry =
        DeadLetterEntry("mypage", bj::parse(R"({"id":3,"type":"VaccineReserved","subject":"5"})").as_object());
    EXPECT_EQ(bj::serialize(entry),
              R"({"service":"mypage","group":"mypage","id":3,"type":"VaccineReserved","subject":"5"})");
}

}  // namespace
}  // namespace reservo::edge::console
