#include "kit/http/request_parsing.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <vector>

namespace reservo::http {

namespace bhttp = boost::beast::http;

namespace {

std::string_view TrimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Host = uri-host [ ":" port ] (RFC 9110 §7.2); empty is allowed, userinfo is not.
bool ValidHost(std::string_view value) {
    auto authority = boost::urls::parse_authority(value);
    return authority && !authority->has_userinfo();
}

std::string FramingTooLong(const RequestLimits& limits) {
    return "a chunk-size line or the trailer exceeds " + std::to_string(limits.max_header_bytes) + " bytes";
}

}  // namespace

RequestParser::RequestParser(RequestLimits limits) : limits_(limits) {
    parser_.body_limit(limits_.max_body_bytes);
    parser_.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
}

size_t RequestParser::Feed(std::string_view bytes) {
    size_t used = 0;
    if (state_ == State::kNeedMore && !parser_.got_some()) {
        // RFC 9112 §2.2: ignore empty lines before the request line (some clients send a CRLF after a body).
        while (bytes.size() - used >= 2 && bytes[used] == '\r' && bytes[used + 1] == '\n') used += 2;
        leftover_checked_ = leftover_checked_ > used ? leftover_checked_ - used : 0;
        if (bytes.substr(used) == "\r") return used;  // maybe the start of one more empty line
    }
    while (state_ == State::kNeedMore && used < bytes.size()) {
        std::string_view rest = bytes.substr(used);
        // Beast 1.81 asserts (boostorg/beast#2861, fixed upstream) when it meets the last chunk line of
        // an empty body again with one byte more, "0\r\n" then "\r", and debug builds abort. It could
        // only answer "need more" there, so that is answered here without calling it.
        if (last_chunk_waiting_ && rest.size() == 4) {
            if (rest[3] == '\n') Fail(400, "a line ends in a bare LF instead of CRLF");
            break;
        }
        boost::beast::error_code ec;
        size_t body_before = parser_.get().body().size();
        // Not eager: put() returns as soon as the header is complete, before any body byte is taken, so
        // the header is checked before its framing is acted on.
        size_t n = parser_.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        used += n;
        // After the head, one step takes either chunk data or one piece of framing whole: a chunk-size
        // line, or the last chunk with the trailer. Arriving in pieces, that framing waits as leftover
        // and is bounded there; arriving at once, it is bounded here, so the answer does not depend on
        // how the bytes came.
        if (header_checked_ && n - (parser_.get().body().size() - body_before) > limits_.max_header_bytes) {
            Fail(400, FramingTooLong(limits_));
            break;
        }
        if (n > 0) {
            last_consumed_ = rest[n - 1];
            last_chunk_waiting_ = false;
        }
        leftover_checked_ = leftover_checked_ > n ? leftover_checked_ - n : 0;
        if (!header_checked_) head_bytes_ += n;
        if (ec && ec != bhttp::error::need_more) {
            FailFromBeast(ec);
            break;
        }
        if (!header_checked_ && parser_.is_header_done()) {
            header_checked_ = true;
            CheckHeader();
            if (state_ == State::kFailed) break;
        }
        if (parser_.is_done()) {
            state_ = State::kDone;
            break;
        }
        if (n == 0) {
            // Waiting for more, so `rest` is framing: a last-chunk line when it starts so.
            last_chunk_waiting_ = header_checked_ && rest.starts_with("0\r\n");
            CheckLeftover(rest);
            break;
        }
    }
    return used;
}

void RequestParser::Fail(int status, std::string detail) {
    state_ = State::kFailed;
    error_.status = status;
    error_.detail = std::move(detail);
    switch (status) {
        case 413:
            error_.title = "Content Too Large";
            break;
        case 431:
            error_.title = "Request Header Fields Too Large";
            break;
        case 501:
            error_.title = "Not Implemented";
            break;
        default:
            error_.title = "Bad Request";
    }
}

void RequestParser::FailFromBeast(const boost::beast::error_code& ec) {
    if (ec == bhttp::error::body_limit) {
        Fail(413, "the body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
        Fail(431, "the request head exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");
    } else {
        Fail(400, "malformed HTTP request: " + ec.message());
    }
}

void RequestParser::CheckHeader() {
    const auto& msg = parser_.get();
    if (head_bytes_ > limits_.max_header_bytes) {
        return Fail(431, "the request head exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");
    }

    int hosts = 0;
    std::string_view host;
    bool has_transfer_encoding = false;
    std::vector<std::string> codings;
    for (const auto& f : msg) {
        if (f.name() == bhttp::field::host) {
            ++hosts;
            host = f.value();
        } else if (f.name() == bhttp::field::transfer_encoding) {
            has_transfer_encoding = true;
            std::string_view list = f.value();
            while (!list.empty()) {
                size_t comma = std::min(list.find(','), list.size());
                std::string_view coding = TrimOws(list.substr(0, comma));
                if (!coding.empty()) codings.push_back(Lower(coding));  // empty list elements are ignored
                list.remove_prefix(std::min(comma + 1, list.size()));
            }
        }
    }
    if (hosts > 1) return Fail(400, "more than one Host field");
    if (hosts == 0 && msg.version() >= 11) return Fail(400, "an HTTP/1.1 request needs a Host field");
    if (hosts == 1 && !ValidHost(host)) return Fail(400, "malformed Host field");

    // Beast takes a Transfer-Encoding whose last coding is not chunked as "no body" and would read the
    // body as the next request (request smuggling); RFC 9112 §6.1 and §6.3 say what to do instead.
    if (has_transfer_encoding) {
        if (msg.version() < 11) return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        if (msg.find(bhttp::field::content_length) != msg.end()) {
            return Fail(400, "both Transfer-Encoding and Content-Length");
        }
        if (codings.empty() || codings.back() != "chunked") {
            return Fail(400, "the final transfer coding is not chunked");
        }
        if (std::count(codings.begin(), codings.end(), "chunked") > 1) {
            return Fail(400, "the chunked transfer coding is applied more than once");
        }
        if (codings.size() > 1) {
            return Fail(501, "transfer coding '" + codings.front().substr(0, 40) + "' is not implemented");
        }
        // Beast must frame the body as chunked too; a list it reads otherwise is not worth the doubt.
        if (!parser_.chunked()) return Fail(400, "malformed Transfer-Encoding field");
    }

    auto target = ParseTarget(msg.target());
    if (!target) return Fail(400, "malformed request target, or a \".\" or \"..\" segment in its path");
    target_ = std::move(*target);
    version_ = static_cast<int>(msg.version());
    // Taken now: Beast adds the trailer of a chunked body to these fields, and not even at the end.
    for (const auto& f : msg) headers_.Add(f.name_string(), std::string(f.value()));
}

void RequestParser::CheckLeftover(std::string_view leftover) {
    // Body bytes are consumed as they arrive, so what is left while more is needed is framing: the
    // head, a chunk-size line or the trailer. Beast bounds the head only, and waits for a CRLF that a
    // client ending lines in a bare LF never sends; both are refused here instead of hanging.
    if (!header_checked_) {
        if (head_bytes_ + leftover.size() > limits_.max_header_bytes) {
            return Fail(431, "the request head exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");
        }
    } else if (leftover.size() > limits_.max_header_bytes) {
        return Fail(400, FramingTooLong(limits_));
    }
    // The rest is offered again with each read: scan only what is new, so a client dripping bytes
    // one at a time costs linear work.
    for (size_t i = leftover_checked_; i < leftover.size(); ++i) {
        char before = i == 0 ? last_consumed_ : leftover[i - 1];
        if (leftover[i] == '\n' && before != '\r') return Fail(400, "a line ends in a bare LF instead of CRLF");
    }
    leftover_checked_ = leftover.size();
}

bool RequestParser::keep_alive() const { return parser_.keep_alive(); }

int RequestParser::version() const { return version_; }

Request RequestParser::TakeRequest() {
    auto msg = parser_.release();
    Request r;
    r.method = std::string(msg.method_string());
    r.target = std::move(target_.origin_form);
    r.version = static_cast<int>(msg.version());
    // Without the trailer fields, as RFC 9110 §6.5.1 asks: a trailer cannot add a Host, an
    // X-Forwarded-For or anything else checked or trusted as a header.
    r.headers = std::move(headers_);
    // RFC 9112 §3.2.2: with an absolute-form target, its authority is the host, whatever Host says.
    if (target_.authority) r.headers.Set("Host", std::move(*target_.authority));
    r.body = std::move(msg.body());
    r.path = std::move(target_.path);
    r.query = std::move(target_.query);
    return r;
}

}  // namespace reservo::http
