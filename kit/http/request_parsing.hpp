// Reads one HTTP/1.1 request from bytes as they arrive, with the checks Boost.Beast leaves to us:
// the server feeds it from its socket, the fuzzer (fuzz/http_request_fuzz.cpp) from arbitrary input.
//
//   RequestParser parser({.max_body_bytes = 1 << 20});
//   size_t used = parser.Feed(bytes);     // keep bytes[used..] and offer them again with what comes next
//   if (parser.state() == RequestParser::State::kDone) Serve(parser.TakeRequest());
//   if (parser.state() == RequestParser::State::kFailed) Answer(parser.error().status);  // then close
//
// Refused (each then closes the connection, since the framing can no longer be trusted):
// Transfer-Encoding whose final coding is not chunked, chunked twice, in HTTP/1.0, or with
// Content-Length (400, RFC 9112 §6.1, §6.3) and other codings (501); an HTTP/1.1 request without
// exactly one valid Host (400, §3.2); a malformed target or one with dot segments (400); a line
// ending in a bare LF (400); a head over the header limit (431); a body over the limit (413).
// Trailer fields of a chunked body are dropped.
// Beast-specific on purpose: only the server and the fuzzer include this header.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "kit/http/message.hpp"

namespace reservo::http {

struct RequestLimits {
    size_t max_body_bytes = 1 << 20;
    // The request line and header fields together; also bounds a chunk-size line and the trailer.
    size_t max_header_bytes = 16 * 1024;
};

// Why a request is refused: the status to answer and a problem+json title and detail.
struct RequestError {
    int status = 400;
    std::string title;
    std::string detail;
};

class RequestParser final {
  public:
    enum class State { kNeedMore, kDone, kFailed };

    explicit RequestParser(RequestLimits limits);
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    // Consumes what it can of `bytes` and returns how many it used. While kNeedMore, the unused rest
    // is framing not yet complete and must be offered again, followed by the next bytes to arrive;
    // after kDone it belongs to the next request (pipelining).
    size_t Feed(std::string_view bytes);
    State state() const { return state_; }
    // Whether any byte of this request has been consumed.
    bool got_some() const { return parser_.got_some(); }
    const RequestError& error() const { return error_; }

    // After kDone: whether the client allows the connection to be reused, and 10 or 11.
    bool keep_alive() const;
    int version() const;
    // After kDone: the request with path and query decoded; an absolute-form target is rewritten to
    // origin-form and its authority replaces Host (RFC 9112 §3.2.2). Call once.
    Request TakeRequest();

  private:
    void Fail(int status, std::string detail);
    void FailFromBeast(const boost::beast::error_code& ec);
    void CheckHeader();
    void CheckLeftover(std::string_view leftover);

    RequestLimits limits_;
    boost::beast::http::request_parser<boost::beast::http::string_body> parser_;
    State state_ = State::kNeedMore;
    RequestError error_;
    Target target_;
    size_t head_bytes_ = 0;  // consumed before the header was complete
    int version_ = 11;
    Headers headers_;  // the header fields, without the trailer's
    bool header_checked_ = false;
    char last_consumed_ = '\0';
    size_t leftover_checked_ = 0;      // leading bytes of the unused rest already scanned for bare LFs
    bool last_chunk_waiting_ = false;  // the unused rest starts with the line "0\r\n" Beast has seen
};

}  // namespace reservo::http
