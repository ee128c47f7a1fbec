#include "kit/http/wire.hpp"

#include <charconv>

namespace reservo::http {
namespace {

bool IsTokenChar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool Sendable(std::string_view name, std::string_view value) {
    return IsToken(name) && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsFraming(std::string_view name) {
    return IEquals(name, "Content-Length") || IEquals(name, "Transfer-Encoding") || IEquals(name, "Connection") ||
           IEquals(name, "Keep-Alive");
}

void AppendNumber(std::string& out, size_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

void AppendFields(std::string& out, const Headers& headers) {
    for (const auto& [name, value] : headers.all()) {
        if (IsFraming(name) || !Sendable(name, value)) continue;
        out.append(name).append(": ").append(value).append("\r\n");
    }
}

size_t FieldsSize(const Headers& headers) {
    size_t n = 0;
    for (const auto& [name, value] : headers.all()) n += name.size() + value.size() + 4;
    return n;
}

}  // namespace

bool IsToken(std::string_view text) {
    if (text.empty()) return false;
    for (unsigned char c : text) {
        if (!IsTokenChar(c)) return false;
    }
    return true;
}

std::string_view ReasonPhrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 203:
            return "Non-Authoritative Information";
        case 204:
            return "No Content";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 416:
            return "Range Not Satisfiable";
        case 417:
            return "Expectation Failed";
        case 422:
            return "Unprocessable Content";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "";
    }
}

std::string WireResponseHead(const Response& res, int version, bool keep_alive) {
    const int status = res.status >= 100 && res.status <= 999 ? res.status : 500;
    std::string out;
    out.reserve(64 + FieldsSize(res.headers));
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    AppendNumber(out, static_cast<size_t>(status));
    out.push_back(' ');
    out.append(ReasonPhrase(status)).append("\r\n");
    AppendFields(out, res.headers);
    // RFC 9110 §8.6: no Content-Length in a 1xx or 204 answer; a 304 has no body either.
    if (status >= 200 && status != 204 && status != 304) {
        out.append("Content-Length: ");
        AppendNumber(out, res.body.size());
        out.append("\r\n");
    }
    if (version == 10 && keep_alive) out.append("Connection: keep-alive\r\n");
    if (version != 10 && !keep_alive) out.append("Connection: close\r\n");
    out.append("\r\n");
    return out;
}

std::string WireRequestHead(const Request& req, std::string_view target, std::string_view host) {
    std::string out;
    out.reserve(64 + target.size() + FieldsSize(req.headers));
    out.append(req.method).push_back(' ');
    out.append(target).append(" HTTP/1.1\r\n");
    if (!req.headers.Find("Host")) out.append("Host: ").append(host).append("\r\n");
    AppendFields(out, req.headers);
    // A body-less GET says nothing about length; anything with a body, or a method that may have
    // one, says its length, so the server never waits for a body that is not coming.
    if (!req.body.empty() || (req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS" &&
                              req.method != "DELETE" && req.method != "TRACE")) {
        out.append("Content-Length: ");
        AppendNumber(out, req.body.size());
        out.append("\r\n");
    }
    out.append("\r\n");
    return out;
}

}  // namespace reservo::http
