#include "kit/http/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include "kit/http/hal.hpp"

namespace reservo::http {
namespace {

Response Dispatch(const Router& router, Request& req) {
    boost::asio::io_context io;
    Response out;
    boost::asio::co_spawn(
        io, [&]() -> Awaitable<void> { out = co_await router.Dispatch(req); }, boost::asio::detached);
    io.run();
    return out;
}

Request Make(std::string method, std::string target) {
    Request r;
    r.method = std::move(method);
    r.target = target;
    auto split = SplitTarget(target).value();
    r.path = split.first;
    r.query = split.second;
    return r;
}

TEST(RouterTest, LiteralsWinOverVariablesAndVariablesAreFilled) {
    Router router;
    router.Get("/things/{id}", [](Request& req) { return TextResponse(200, "id=" + std::string(req.Param("id"))); });
    router.Get("/things/search", [](Request&) { return TextResponse(200, "search"); });
    auto a = Make("GET", "/things/42");
    EXPECT_EQ(Dispatch(router, a).body, "id=42");
    auto b = Make("GET", "/things/search");
    EXPECT_EQ(Dispatch(router, b).body, "search");
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
    Router router;
    router.Get("/things", [](Request&) { return TextResponse(200, "list"); });
    auto a = Make("GET", "/nothing/here");
    auto ra = Dispatch(router, a);
    EXPECT_EQ(ra.status, 404);
    EXPECT_EQ(ra.headers.Find("Content-Type").value(), "application/problem+json");
    auto b = Make("DELETE", "/things");
    auto rb = Dispatch(router, b);
    EXPECT_EQ(rb.status, 405);
    EXPECT_EQ(rb.headers.Find("Allow").value_or(""), "GET, HEAD");
}

TEST(RouterTest, PrefixRoutesMatchEverythingBelow) {
    Router router;
    router.Any("/things/**", [](Request& req) -> Awaitable<Response> { co_return TextResponse(200, req.path); });
    auto a = Make("PATCH", "/things/1/sub?x=1");
    EXPECT_EQ(Dispatch(router, a).body, "/things/1/sub");
    auto b = Make("GET", "/other");
    EXPECT_EQ(Dispatch(router, b).status, 404);
}

TEST(HalTest, ParsesPagingAndRejectsBadValues) {
    auto ok = Make("GET", "/t?page=2&size=5&sort=hospital,desc");
    auto page = ParsePage(ok, {"id", "hospital"}).value();
    EXPECT_EQ(page.page, 2);
    EXPECT_EQ(page.size, 5);
    EXPECT_EQ(page.sort, "hospital");
    EXPECT_TRUE(page.descending);
    for (const char* bad :
         {"/t?page=-1", "/t?size=0", "/t?size=999999", "/t?page=x", "/t?sort=password", "/t?sort=id,sideways"}) {
        auto req = Make("GET", bad);
        auto r = ParsePage(req, {"id"});
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    }
}

TEST(HalTest, CreatedHasLocationAndSelfLink) {
    auto req = Make("POST", "/vaccineMgmts");
    req.headers.Set("Host", "localhost:8080");
    auto res = CreatedResponse(req, "vaccineMgmts", 7, {{"qty", 3}});
    EXPECT_EQ(res.status, 201);
    EXPECT_EQ(res.headers.Find("Location").value(), "http://localhost:8080/vaccineMgmts/7");
    auto body = boost::json::parse(res.body).as_object();
    EXPECT_EQ(body.at("id").as_int64(), 7);
    EXPECT_EQ(body.at("_links").at("self").at("href").as_string(), "http://localhost:8080/vaccineMgmts/7");
    EXPECT_EQ(body.at("_links").at("vaccineMgmt").at("href").as_string(), "http://localhost:8080/vaccineMgmts/7");
}

TEST(HalTest, IdsMustBePositiveNumbers) {
    EXPECT_EQ(ParseId("12").value(), 12);
    EXPECT_FALSE(ParseId("0"));
    EXPECT_FALSE(ParseId("abc"));
    EXPECT_FALSE(ParseId("1e3"));
    EXPECT_FALSE(ParseId("99999999999999999999"));
}

}  // namespace
}  // namespace reservo::http
