// Message heads as they go on the wire, written straight into one string (no Beast message in
// between): the status or request line, the fields, the framing fields the exchange needs, and the
// blank line. The body is sent after the head as it is, in a second buffer, never copied.
//
//   std::string head = WireResponseHead(res, /*version=*/11, /*keep_alive=*/true);
//   co_await asio::async_write(socket, std::array{asio::buffer(head), asio::buffer(res.body)});
//
// Framing is ours to set, never the handler's: Content-Length, Transfer-Encoding, Connection and
// Keep-Alive fields it gave are dropped, and so is any field whose name is not a token or whose
// value holds CR, LF or NUL — sent, such a field could end the head early (response splitting).
#pragma once

#include <string>
#include <string_view>

#include "kit/http/message.hpp"

namespace reservo::http {

// `version` 10 or 11. Content-Length is the body's size, except where a response has no body by
// definition (1xx, 204, 304); a HEAD answer gets the head of the GET answer and no body.
std::string WireResponseHead(const Response& res, int version, bool keep_alive);

// An HTTP/1.1 request that keeps the connection open; `host` is sent when the request has no Host.
std::string WireRequestHead(const Request& req, std::string_view target, std::string_view host);

// Whether `text` is an RFC 9110 token (what field names and methods are made of).
bool IsToken(std::string_view text);

// The reason phrase of a status code ("Not Found"); "" for a code without one.
std::string_view ReasonPhrase(int status);

}  // namespace reservo::http
