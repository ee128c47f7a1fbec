#include "kit/http/request_parsing.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace reservo::http {
namespace {

using State = RequestParser::State;

struct Outcome {
    State state = State::kNeedMore;
    int status = 0;                  // when kFailed
    std::optional<Request> request;  // when kDone
    std::string rest;                // input not consumed
};

// Feeds `input` `step` bytes at a time, as a socket would deliver it, re-offering what the parser left.
Outcome Parse(std::string_view input, size_t step = 0, RequestLimits limits = {.max_body_bytes = 1024}) {
    RequestParser parser(limits);
    std::string pending;
    size_t offered = 0;
    while (parser.state() == State::kNeedMore && offered < input.size()) {
        size_t n = step == 0 ? input.size() : std::min(step, input.size() - offered);
        pending.append(input.substr(offered, n));
        offered += n;
        pending.erase(0, parser.Feed(pending));
    }
    Outcome out;
    out.state = parser.state();
    out.rest = pending + std::string(input.substr(offered));
    if (out.state == State::kFailed) out.status = parser.error().status;
    if (out.state == State::kDone) out.request = parser.TakeRequest();
    return out;
}

// The status for `input` fed at once and byte by byte, which must agree; 0 when it was accepted.
int StatusOf(std::string_view input) {
    Outcome whole = Parse(input);
    Outcome drip = Parse(input, 1);
    EXPECT_EQ(whole.state, drip.state) << input;
    EXPECT_EQ(whole.status, drip.status) << input;
    return whole.state == State::kDone ? 0 : whole.status;
}

const std::string kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

std::string PostWith(std::string_view fields, std::string_view body = "") {
    return "POST /count HTTP/1.1\r\nHost: x\r\n" + std::string(fields) + "\r\n" + std::string(body) + kSmuggled;
}

TEST(RequestParserTest, ParsesARequestAndLeavesThePipelinedRest) {
    std::string first = "POST /echo?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    for (size_t step : {0, 1, 3, 7}) {
        Outcome o = Parse(first + kSmuggled, step);
        ASSERT_EQ(o.state, State::kDone) << step;
        EXPECT_EQ(o.request->method, "POST");
        EXPECT_EQ(o.request->path, "/echo");
        EXPECT_EQ(o.request->target, "/echo?x=1");
        EXPECT_EQ(o.request->body, "hello");
        EXPECT_EQ(o.request->version, 11);
        EXPECT_EQ(o.rest, kSmuggled) << step;
    }
}

TEST(RequestParserTest, ChunkedBodyIsDecodedAndMayHoldLineFeeds) {
    std::string req =
        "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\na\nb\n\r\n3;ext=1\r\n\n\nc\r\n0\r\nX-Trailer: t\r\n\r\n";
    for (size_t step : {0, 1, 2, 5}) {
        Outcome o = Parse(req, step);
        ASSERT_EQ(o.state, State::kDone) << step;
        EXPECT_EQ(o.request->body, "a\nb\n\n\nc") << step;
        EXPECT_TRUE(o.rest.empty());
    }
}

TEST(RequestParserTest, AnEmptyChunkedBodyMayArriveByteByByte) {
    // "0\r\n" then "\r" trips an assertion in Beast 1.81 (debug builds); the parser steps around it.
    std::string head = "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    Outcome o = Parse(head + "0\r\n\r\n" + kSmuggled, 1);
    ASSERT_EQ(o.state, State::kDone);
    EXPECT_EQ(o.request->body, "");
    EXPECT_EQ(Parse(head + "0\r\nX: y\r\n\r\n", 1).state, State::kDone);
    EXPECT_EQ(Parse(head + "0\r\n\n", 1).status, 400);
}

TEST(RequestParserTest, TrailerFieldsAreDropped) {
    Outcome o = Parse(
        "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "1\r\nx\r\n0\r\nHost: evil\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");  // Beast would list Host twice
    ASSERT_EQ(o.state, State::kDone);
    EXPECT_EQ(o.request->headers.Find("Host").value_or(""), "a");
    EXPECT_FALSE(o.request->headers.Find("X-Forwarded-For"));
    EXPECT_EQ(o.request->headers.all().size(), 2u);
}

TEST(RequestParserTest, ALongTrailerOrChunkLineIsRefusedHoweverItArrives) {
    // Found by fuzzing: a trailer over the limit arriving at once was taken whole, while the same bytes
    // arriving in pieces waited as leftover and were refused. Both must refuse.
    RequestLimits limits{.max_body_bytes = 1024, .max_header_bytes = 256};
    std::string head = "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::string long_trailer = head + "A\r\n0123456789\r\n0\r\nX-Checksum: " + std::string(300, 'e') + "\r\n\r\n";
    std::string long_extension = head + "1;e=" + std::string(300, 'x') + "\r\nz\r\n0\r\n\r\n";
    for (const std::string& input : {long_trailer, long_extension}) {
        for (size_t step : {0, 1, 7, 100}) {
            Outcome o = Parse(input, step, limits);
            EXPECT_EQ(o.state, State::kFailed) << step;
            EXPECT_EQ(o.status, 400) << step;
        }
    }
    std::string short_trailer = head + "1\r\nz\r\n0\r\nX-Checksum: " + std::string(200, 'e') + "\r\n\r\n";
    for (size_t step : {0, 1, 7, 100}) EXPECT_EQ(Parse(short_trailer, step, limits).state, State::kDone) << step;
}

TEST(RequestParserTest, TransferEncodingOtherThanFinalChunkedIsRefused) {
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: identity\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: gzip\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: \r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")), 501);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")), 501);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: Chunked\r\n", "0\r\n\r\n")), 0);
}

TEST(RequestParserTest, TransferEncodingWithContentLengthOrInHttp10IsRefused) {
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")), 400);
    EXPECT_EQ(StatusOf(PostWith("Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello")), 400);
    EXPECT_EQ(StatusOf("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
}

TEST(RequestParserTest, Http11NeedsExactlyOneValidHost) {
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.0\r\n\r\n"), 0);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"), 0);
}

TEST(RequestParserTest, OversizedHeadIs431HoweverItArrives) {
    std::string big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n";
    EXPECT_EQ(StatusOf(big), 431);
    EXPECT_EQ(Parse(big, 1000).status, 431);
    // Unfinished, too: the limit is hit while waiting for the end of the head.
    EXPECT_EQ(Parse(big.substr(0, 17'000)).status, 431);
    // Just under the limit passes.
    std::string fits = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(16'000, 'a') + "\r\n\r\n";
    EXPECT_EQ(StatusOf(fits), 0);
}

TEST(RequestParserTest, BareLineFeedsAreRefusedWithoutWaitingForMore) {
    // Beast waits for a CRLF that never comes: without the check these stay kNeedMore forever.
    Outcome chunked = Parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n");
    EXPECT_EQ(chunked.state, State::kFailed);
    EXPECT_EQ(chunked.status, 400);
    EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n"), 400);
    EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX: y\n\n"),
              400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: x\r\n\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\nHost: x\n\n"), 400);
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n"), 400);
}

TEST(RequestParserTest, OverlongChunkFramingIsRefused) {
    std::string head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(Parse(head + "5;" + std::string(20'000, 'a')).status, 400);
    EXPECT_EQ(Parse(head + "0\r\nX: " + std::string(20'000, 'a'), 1000).status, 400);
}

TEST(RequestParserTest, BodyOverTheLimitIs413) {
    EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n"), 413);
    std::string chunks = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunks += "200\r\n" + std::string(512, 'z') + "\r\n";
    EXPECT_EQ(StatusOf(chunks + "0\r\n\r\n"), 413);
}

TEST(RequestParserTest, AbsoluteFormIsRoutedOnItsPathWithItsAuthorityAsHost) {
    Outcome o = Parse("GET http://localhost:8080/reservations?page=1 HTTP/1.1\r\nHost: elsewhere\r\n\r\n", 4);
    ASSERT_EQ(o.state, State::kDone);
    EXPECT_EQ(o.request->path, "/reservations");
    EXPECT_EQ(o.request->target, "/reservations?page=1");
    EXPECT_EQ(o.request->Query("page").value_or(""), "1");
    EXPECT_EQ(o.request->headers.Find("Host").value_or(""), "localhost:8080");
}

TEST(RequestParserTest, DotSegmentsAndMalformedTargetsAre400) {
    for (const char* target : {"/a/../actuator/faults", "/./x", "/a/%2e%2e/actuator", "/a/%2E%2E/x", "/a%2f..%2fx",
                               "http://h/a/../b", "*", "h:80", "/x?%zz"}) {
        EXPECT_EQ(StatusOf("GET " + std::string(target) + " HTTP/1.1\r\nHost: h\r\n\r\n"), 400) << target;
    }
}

TEST(RequestParserTest, EmptyLinesBeforeTheRequestLineAreIgnored) {
    Outcome o = Parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n", 1);
    ASSERT_EQ(o.state, State::kDone);
    EXPECT_EQ(o.request->path, "/x");
}

TEST(RequestParserTest, KeepAliveFollowsVersionAndConnection) {
    auto keep = [](std::string_view input) {
        RequestParser parser({});
        parser.Feed(input);
        EXPECT_EQ(parser.state(), State::kDone) << input;
        return parser.keep_alive();
    };
    EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
    EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
    EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
    EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

}  // namespace
}  // namespace reservo::http
