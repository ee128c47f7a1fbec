#include "kit/http/wire.hpp"

#include <gtest/gtest.h>

namespace reservo::http {
namespace {

Response Answer(int status, std::string body = {}) {
    Response res;
    res.status = status;
    res.body = std::move(body);
    return res;
}

TEST(WireResponseHead, StatusLineFieldsInOrderLengthAndBlankLine) {
    Response res = Answer(201, R"({"id":7})");
    res.headers.Add("Content-Type", "application/hal+json");
    res.headers.Add("Location", "/reservations/7");
    EXPECT_EQ(WireResponseHead(res, 11, true),
              "HTTP/1.1 201 Created\r\n"
              "Content-Type: application/hal+json\r\n"
              "Location: /reservations/7\r\n"
              "Content-Length: 8\r\n"
              "\r\n");
}

TEST(WireResponseHead, ConnectionSaysWhatTheExchangeNeeds) {
    EXPECT_EQ(WireResponseHead(Answer(200), 11, false),
              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(WireResponseHead(Answer(200), 10, true),
              "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(WireResponseHead(Answer(200), 10, false), "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(WireResponseHead, NoLengthWhereThereIsNoBodyByDefinition) {
    EXPECT_EQ(WireResponseHead(Answer(204), 11, true), "HTTP/1.1 204 No Content\r\n\r\n");
    EXPECT_EQ(WireResponseHead(Answer(304), 11, true), "HTTP/1.1 304 Not Modified\r\n\r\n");
    EXPECT_EQ(WireResponseHead(Answer(299), 11, true), "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n")
        << "a code without a phrase keeps the space before the (empty) reason";
}

TEST(WireResponseHead, FramingAndUnsafeFieldsFromTheHandlerAreDropped) {
    Response res = Answer(200, "ok");
    res.headers.Add("Content-Length", "999");
    res.headers.Add("transfer-encoding", "chunked");
    res.headers.Add("Connection", "upgrade");
    res.headers.Add("Keep-Alive", "timeout=5");
    res.headers.Add("X-Note", "one\r\nSet-Cookie: stolen=1");  // would split the answer
    res.headers.Add("X-Nul", std::string("a\0b", 3));
    res.headers.Add("Bad Name", "x");
    res.headers.Add("X-Fine", "kept");
    EXPECT_EQ(WireResponseHead(res, 11, true), "HTTP/1.1 200 OK\r\nX-Fine: kept\r\nContent-Length: 2\r\n\r\n");
}

TEST(WireResponseHead, AStatusOutOfRangeIsSentAs500) {
    EXPECT_TRUE(WireResponseHead(Answer(42), 11, true).starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
}

TEST(WireRequestHead, HostAddedWhenMissingAndLengthForMethodsWithABody) {
    Request get;
    get.method = "GET";
    get.headers.Add("Accept", "application/json");
    EXPECT_EQ(WireRequestHead(get, "/myPages?page=1", "127.0.0.1:8084"),
              "GET /myPages?page=1 HTTP/1.1\r\nHost: 127.0.0.1:8084\r\nAccept: application/json\r\n\r\n");

    Request post;
    post.method = "POST";
    post.headers.Add("Host", "gateway.example");
    post.headers.Add("Content-Length", "3");  // ours to set from the body
    post.body = R"({"userId":1})";
    EXPECT_EQ(WireRequestHead(post, "/reservations", "ignored:1"),
              "POST /reservations HTTP/1.1\r\nHost: gateway.example\r\nContent-Length: 12\r\n\r\n");

    Request empty_put;
    empty_put.method = "PUT";
    EXPECT_EQ(WireRequestHead(empty_put, "/x", "h:1"), "PUT /x HTTP/1.1\r\nHost: h:1\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace reservo::http
