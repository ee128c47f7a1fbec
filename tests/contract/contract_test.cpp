// The contract verifier itself: the format is read strictly, matchers and variables mean what
// contract.hpp says, and — against the real provider — a broken expectation or a broken provider
// fails with a message naming the contract, the interaction and the mismatch.
#include "tests/contract/contract.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <thread>

#include "kit/http/client.hpp"
#include "kit/http/server.hpp"

namespace reservo::contract {
namespace {

using ::testing::HasSubstr;

const std::string kContractPath = e2e::SourceDir() + "/systems/vaccine/contracts/reservation-vaccine-mgmt.json";
constexpr std::string_view kById = "takes one dose from a lot given by id";
constexpr std::string_view kByPlace = "takes one dose from the lot found by hospital, date and type";
constexpr std::string_view kNoneLeft = "refuses with 409 when the lot has no dose left";

std::string Joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "\n  " + l;
    return out;
}

Contract RealContract() {
    auto c = LoadContract(kContractPath);
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : Contract{};
}

Interaction& Named(Contract& c, std::string_view description) {
    for (auto& i : c.interactions) {
        if (i.description == description) return i;
    }
    ADD_FAILURE() << "no interaction " << description;
    static Interaction none;
    return none;
}

Matcher& Entry(Matchers& matchers, std::string_view name) {
    for (auto& [key, m] : matchers) {
        if (key == name) return m;
    }
    ADD_FAILURE() << "no matcher " << name;
    static Matcher none;
    return none;
}

// ---------------------------------------------------------------------------------------------
// The format

Result<Contract> ParseOne(const std::string& interaction) {
    return ParseContract(R"({"consumer":"s/a","provider":"s/b","interactions":[)" + interaction + "]}", "test.json");
}

TEST(ContractFormat, TheRealContractParses) {
    Contract c = RealContract();
    EXPECT_EQ(c.file, "systems/vaccine/contracts/reservation-vaccine-mgmt.json");
    EXPECT_EQ(c.consumer, "vaccine/reservation");
    EXPECT_EQ(c.provider, "vaccine/vaccine-mgmt");
    EXPECT_GE(c.interactions.size(), 7u);
    EXPECT_TRUE(c.Find(kById));
}

TEST(ContractFormat, AnUnknownKeyIsAnErrorThatSaysWhere) {
    auto c = ParseOne(R"({"description":"x","request":{"method":"GET","path":"/x"},
                          "response":{"status":200,"body":{"id":{"equal":1}}}})");
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error().message, HasSubstr("test.json: interactions[0].response.body.id.equal: unknown key"));
}

TEST(ContractFormat, MistakesAreRefused) {
    struct Case {
        std::string interaction, says;
    };
    for (const Case& c : std::vector<Case>{
             {R"({"description":"x","request":{"method":"GET","path":"/x"},"response":{}})",
              "response.status: missing"},
             {R"({"description":"x","request":{"method":"GET","path":"x"},"response":{"status":200}})",
              "request.path: must start with /"},
             {R"({"description":"x","request":{"method":"GET","path":"/x"},"response":{"status":200,
                  "body":{"a":{"type":"text"}}}})",
              "body.a.type: expected one of"},
             {R"({"description":"x","request":{"method":"GET","path":"/x"},"response":{"status":200,
                  "body":{"a":{"regex":"("}}}})",
              "body.a.regex"},
             {R"({"description":"x","request":{"method":"GET","path":"/x"},"response":{"status":200,"body":{"a":{}}}})",
              "a matcher needs"},
             {R"({"description":"x","providerStates":[{"request":{"method":"GET","path":"/x"}}],
                  "request":{"method":"GET","path":"/x"},"response":{"status":200}})",
              "providerStates[0].description: missing"},
         }) {
        auto parsed = ParseOne(c.interaction);
        ASSERT_FALSE(parsed) << c.interaction;
        EXPECT_THAT(parsed.error().message, HasSubstr(c.says));
    }
    EXPECT_FALSE(ParseContract("{", "bad.json"));
    EXPECT_FALSE(ParseContract(R"({"consumer":"a","provider":"b","interactions":[]})", "empty.json"));
}

// ---------------------------------------------------------------------------------------------
// Variables and matchers

TEST(ContractVariables, AWholeStringVariableKeepsItsTypeAndAnEmbeddedOneBecomesText) {
    Vars vars{{"lotId", 7}, {"name", "Seoul"}};
    EXPECT_EQ(Substitute(bj::value("${lotId}"), vars), bj::value(7));
    EXPECT_EQ(Substitute(bj::value("/vaccineMgmts/${lotId}"), vars), bj::value("/vaccineMgmts/7"));
    EXPECT_EQ(Substitute(bj::parse(R"({"a":["${name}", "x${lotId}"]})"), vars), bj::parse(R"({"a":["Seoul","x7"]})"));
    std::vector<std::string> unbound;
    EXPECT_EQ(SubstituteText("/x/${missing}", vars, &unbound), "/x/${missing}");
    EXPECT_EQ(unbound, std::vector<std::string>{"missing"});
}

TEST(ContractMatchers, TypeEqualsRegexAndAbsence) {
    Vars vars{{"lotId", 7}};
    bj::value seven = 7, text = "2026-12-01", seven_text = "7";
    EXPECT_TRUE(MatchValue("id", {.type = "integer", .equals = bj::value("${lotId}")}, &seven, vars).empty());
    EXPECT_EQ(MatchValue("id", {.type = "integer"}, &seven_text, vars),
              std::vector<std::string>{"id: expected integer, got string \"7\""});
    EXPECT_EQ(MatchValue("id", {.equals = bj::value(8)}, &seven, vars),
              std::vector<std::string>{"id: expected 8, got 7"});
    EXPECT_EQ(MatchValue("qty", {.type = "integer"}, nullptr, vars),
              std::vector<std::string>{"qty: missing (expected integer)"});
    EXPECT_TRUE(MatchValue("d", {.regex = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, &text, vars).empty());
    EXPECT_EQ(MatchValue("d", {.regex = "^[0-9]{4}$"}, &text, vars),
              std::vector<std::string>{"d: \"2026-12-01\" does not match /^[0-9]{4}$/"});
    EXPECT_TRUE(MatchValue("x", {.absent = true}, nullptr, vars).empty());
    EXPECT_FALSE(MatchValue("x", {.absent = true}, &seven, vars).empty());
    EXPECT_THAT(Joined(MatchValue("id", {.equals = bj::value("${unset}")}, &seven, vars)),
                HasSubstr("${unset} is not bound"));
    bj::value one_double = 1.0, one_int = 1;
    EXPECT_TRUE(MatchValue("n", {.equals = one_int}, &one_double, vars).empty()) << "numbers compare by value";
}

TEST(ContractMatchers, AResponseIsCheckedForStatusHeadersAndBodyPaths) {
    ResponseSpec spec{.status = 409,
                      .headers = {{"Content-Type", {.equals = bj::value("application/problem+json")}}},
                      .body = {{"detail", {.type = "string"}}, {"a.b.0", {.equals = bj::value(1)}}}};
    e2e::Reply reply;
    reply.status = 409;
    reply.headers.Set("Content-Type", "application/problem+json");
    reply.body = R"({"detail":"none left","a":{"b":[1]}})";
    EXPECT_TRUE(MatchResponse(spec, reply, {}).empty()) << Joined(MatchResponse(spec, reply, {}));
    reply.headers.Set("Content-Type", "application/json");
    reply.body = R"({"title":"x"})";
    EXPECT_EQ(MatchResponse(spec, reply, {}),
              (std::vector<std::string>{"header Content-Type: expected \"application/problem+json\", got "
                                        "\"application/json\"",
                                        "body detail: missing (expected string)", "body a.b.0: missing"}));
    reply.status = 404;
    EXPECT_EQ(MatchResponse(spec, reply, {}), std::vector<std::string>{"status: expected 409, got 404"})
        << "another kind of answer: the status says it all";
}

http::Request Received(std::string method, std::string target) {
    http::Request req;
    req.method = std::move(method);
    req.target = target;
    auto split = http::SplitTarget(target);
    EXPECT_TRUE(split) << target;
    if (split) std::tie(req.path, req.query) = *split;
    return req;
}

TEST(ContractMatchers, AConsumerRequestBindsVariablesAndAnUnknownParameterIsAMismatch) {
    RequestSpec spec{.method = "PUT",
                     .path = "/lots/${lotId}/take",
                     .query = {{"reservationId", {.type = "integer", .example = bj::value("1")}},
                               {"hospital", {.equals = bj::value("${hospital}")}}}};
    Vars vars;
    EXPECT_TRUE(
        MatchRequest(spec, Received("PUT", "/lots/42/take?reservationId=5&hospital=%EC%84%9C%EC%9A%B8%20A%26B"), vars)
            .empty());
    EXPECT_EQ(e2e::AsString(vars["lotId"]), "42");
    EXPECT_EQ(e2e::AsString(vars["hospital"]), "서울 A&B");

    Vars again;
    EXPECT_EQ(MatchRequest(spec, Received("PUT", "/lots/42/take?reservationId=x&hospital=A&lotId=1"), again),
              (std::vector<std::string>{"query reservationId: expected integer, got \"x\"",
                                        "query lotId: not in the contract"}));
    Vars other;
    EXPECT_EQ(
        MatchRequest(spec, Received("POST", "/lots/42?reservationId=1"), other),
        (std::vector<std::string>{"method: expected PUT, got POST", "path: expected /lots/${lotId}/take, got /lots/42",
                                  "query hospital: missing"}));
}

TEST(ContractMatchers, RequestsAndStubAnswersAreBuiltFromEqualsOrExample) {
    Vars vars{{"lotId", 7}, {"hospital", "서울 A&B"}};
    RequestSpec spec{.method = "PUT",
                     .path = "/vaccineMgmts/updateVaccine",
                     .query = {{"reservationId", {.type = "integer", .example = bj::value("101")}},
                               {"hospital", {.equals = bj::value("${hospital}")}},
                               {"vaccineId", {.equals = bj::value("${lotId}")}}}};
    http::Request req = BuildRequest(spec, vars);
    EXPECT_EQ(req.target,
              "/vaccineMgmts/updateVaccine?reservationId=101&hospital=%EC%84%9C%EC%9A%B8%20A%26B&vaccineId=7");

    ResponseSpec answer{.status = 200,
                        .body = {{"id", {.type = "integer", .equals = bj::value("${lotId}")}},
                                 {"lot.date", {.regex = "^.*$", .example = bj::value("2026-12-01")}}}};
    auto res = ExampleResponse(answer, {{"lotId", "42"}});  // bound from a query: text, answered as an integer
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(bj::parse(res->body), bj::parse(R"({"id":42,"lot":{"date":"2026-12-01"}})"));
    EXPECT_EQ(res->headers.Find("Content-Type").value_or(""), "application/json");
    EXPECT_FALSE(ExampleResponse(answer, {})) << "${lotId} unbound and no example: the stub cannot answer";
}

TEST(ContractStub, AnswersAMatchingRequestFromTheContractAndRecordsAnyOther) {
    Contract c = RealContract();
    StubProvider stub;
    ASSERT_GT(stub.port(), 0);
    stub.Arm(*c.Find(kById));
    e2e::Http http;
    e2e::Reply ok = http.Call(stub.port(), "PUT", "/vaccineMgmts/updateVaccine?reservationId=9&vaccineId=42");
    EXPECT_EQ(ok.status, 200) << ok.Describe();
    EXPECT_EQ(ok.Json(), bj::parse(R"({"id":42,"hospital":"Contract Hospital","availableDate":"2026-12-01",
                                       "vaccineType":"pfizer"})"));
    EXPECT_EQ(ok.Header("Content-Type"), "application/hal+json");

    e2e::Reply off = http.Call(stub.port(), "PUT", "/vaccineMgmts/updateVaccine?reservationId=9&lot=42");
    EXPECT_EQ(off.status, 500) << off.Describe();
    EXPECT_THAT(off.body, HasSubstr("query vaccineId: missing; query lot: not in the contract"));
    auto seen = stub.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(seen[0].mismatches.empty());
    EXPECT_EQ(seen[1].request, "PUT /vaccineMgmts/updateVaccine?reservationId=9&lot=42");
    EXPECT_EQ(seen[1].answered, 500);
}

// ---------------------------------------------------------------------------------------------
// Against the real provider: broken expectations fail, and say where.

TEST(ContractVerifier, TheRealContractHoldsAgainstTheRealProvider) {
    Contract c = RealContract();
    auto failures = VerifyRealProvider(c);
    EXPECT_TRUE(failures.empty()) << Joined(failures);
}

// Every failure names the contract and the one interaction that was broken.
void ExpectBrokenOnly(const std::vector<std::string>& failures, std::string_view interaction, std::string_view says) {
    ASSERT_FALSE(failures.empty()) << "the broken contract passed";
    for (const auto& f : failures) {
        EXPECT_THAT(f, HasSubstr("systems/vaccine/contracts/reservation-vaccine-mgmt.json "
                                 "(vaccine/reservation → vaccine/vaccine-mgmt), interaction \"" +
                                 std::string(interaction) + "\""));
    }
    EXPECT_THAT(Joined(failures), HasSubstr(says));
}

TEST(ContractVerifier, AConsumerExpectingAFieldTheProviderDoesNotSendFails) {
    Contract c = RealContract();
    Named(c, kById).response.body.emplace_back("reservedDate", Matcher{.type = "string"});
    ExpectBrokenOnly(VerifyRealProvider(c), kById, "body reservedDate: missing (expected string)");
}

TEST(ContractVerifier, AConsumerExpectingAnotherStatusOrTypeFails) {
    Contract c = RealContract();
    Named(c, kNoneLeft).response.status = 410;
    ExpectBrokenOnly(VerifyRealProvider(c), kNoneLeft, "status: expected 410, got 409");

    Contract typed = RealContract();
    Entry(Named(typed, kById).response.body, "id").type = "string";
    ExpectBrokenOnly(VerifyRealProvider(typed), kById, "body id: expected string, got integer");

    Contract header = RealContract();
    Entry(Named(header, kNoneLeft).response.headers, "Content-Type").equals = bj::value("application/json");
    ExpectBrokenOnly(VerifyRealProvider(header), kNoneLeft,
                     "header Content-Type: expected \"application/json\", got \"application/problem+json\"");
}

TEST(ContractVerifier, AVariableNoProviderStateCapturesIsAContractMistake) {
    Contract c = RealContract();
    Named(c, kById).given.front().capture.clear();
    ExpectBrokenOnly(VerifyRealProvider(c), kById, "request: ${lotId} is not bound by any provider state");
}

TEST(ContractVerifier, AConsumerSendingARenamedParameterFails) {
    Contract c = RealContract();
    for (auto& [name, matcher] : Named(c, kById).request.query) {
        if (name == "vaccineId") name = "lotId";
    }
    ExpectBrokenOnly(VerifyRealProvider(c), kById, "status: expected 200, got 400");
}

// A proxy in front of the real provider that changes its answers: a provider change.
class ChangedProvider final {
  public:
    using Change = std::function<void(const http::Request&, http::Response&)>;

    ChangedProvider(int provider_port, Change change) : change_(std::move(change)) {
        client_ = std::make_unique<http::Client>(io_, "http://127.0.0.1:" + std::to_string(provider_port));
        server_ = std::make_unique<http::Server>(io_, [this](http::Request& req) -> http::Awaitable<http::Response> {
            http::Request forward;
            forward.method = req.method;
            forward.target = req.target;
            forward.headers = req.headers;
            forward.body = req.body;
            auto res = co_await client_->Send(std::move(forward), std::chrono::milliseconds(5000));
            if (!res) co_return http::TextResponse(502, res.error().message);
            change_(req, *res);
            co_return std::move(*res);
        });
        EXPECT_TRUE(server_->Listen(0, false));
        thread_ = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io_);
            io_.run();
        });
    }
    ~ChangedProvider() {
        io_.stop();
        thread_.join();
        server_.reset();
        client_.reset();
    }
    int port() const { return server_->port(); }

  private:
    boost::asio::io_context io_{1};
    Change change_;
    std::unique_ptr<http::Client> client_;
    std::unique_ptr<http::Server> server_;
    std::thread thread_;
};

std::vector<std::string> VerifyChangedProvider(const Contract& c, ChangedProvider::Change change) {
    std::string error;
    auto provider = e2e::ServedService::Start({.target = c.provider}, &error);
    if (!provider) return {"the provider did not start: " + error};
    ChangedProvider changed(provider->port(), std::move(change));
    return VerifyProvider(c, changed.port());
}

TEST(ContractVerifier, AProviderThatRenamesAFieldTheConsumerReadsFails) {
    Contract c = RealContract();
    auto failures = VerifyChangedProvider(c, [](const http::Request& req, http::Response& res) {
        if (req.path != "/vaccineMgmts/updateVaccine" || res.status != 200) return;
        bj::value lot = bj::parse(res.body);
        lot.as_object()["date"] = lot.as_object()["availableDate"];
        lot.as_object().erase("availableDate");
        res.body = bj::serialize(lot);
    });
    EXPECT_THAT(Joined(failures), HasSubstr("interaction \"" + std::string(kById) +
                                            "\": PUT /vaccineMgmts/updateVaccine?reservationId=101&vaccineId=1 → "
                                            "body availableDate: missing (expected string)"));
    EXPECT_THAT(Joined(failures), HasSubstr("interaction \"" + std::string(kByPlace) + "\""));
}

TEST(ContractVerifier, AProviderThatAnswersARefusalDifferentlyFails) {
    Contract c = RealContract();
    auto failures = VerifyChangedProvider(c, [](const http::Request& req, http::Response& res) {
        if (res.status == 409 && req.Query("vaccineId")) res.status = 422;  // "none left" becomes a validation error
    });
    ExpectBrokenOnly(failures, kNoneLeft, "status: expected 409, got 422");
}

}  // namespace
}  // namespace reservo::contract
