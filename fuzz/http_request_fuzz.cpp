// Fuzzes RequestParser as a connection drives it: arbitrary bytes, possibly several pipelined
// requests, delivered whole and again in pieces whose sizes derive from the input. Aborts when
//  - the two deliveries accept different requests (that must not depend on how bytes arrive), or
//  - an accepted request breaks an invariant the server relies on: Transfer-Encoding absent or
//    exactly "chunked" and then no Content-Length, exactly one Host in HTTP/1.1 (at most one in 1.0),
//    an origin-form target, a path without "." or ".." segments, a body within the limit.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kit/http/request_parsing.hpp"

namespace {

using reservo::http::Request;
using reservo::http::RequestLimits;
using reservo::http::RequestParser;

// Small limits, so that inputs of a few KiB reach them.
constexpr RequestLimits kLimits{.max_body_bytes = 4096, .max_header_bytes = 2048};

[[noreturn]] void Violated(const char* what, std::string_view detail) {
    std::fprintf(stderr, "invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Written again on purpose: an oracle that shares the code it checks would agree with its bugs.
bool HasDotSegment(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view segment = path.substr(start, end - start);
        if (segment == "." || segment == "..") return true;
        start = end + 1;
    }
    return false;
}

void CheckInvariants(const Request& r) {
    int hosts = 0;
    bool transfer_encoding = false;
    bool content_length = false;
    std::vector<std::string> codings;
    for (const auto& [name, value] : r.headers.all()) {
        std::string n = Lower(name);
        if (n == "host") ++hosts;
        if (n == "content-length") content_length = true;
        if (n != "transfer-encoding") continue;
        transfer_encoding = true;
        std::string_view list = value;
        while (!list.empty()) {
            size_t comma = std::min(list.find(','), list.size());
            std::string_view c = list.substr(0, comma);
            while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
            while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
            if (!c.empty()) codings.push_back(Lower(c));
            list.remove_prefix(std::min(comma + 1, list.size()));
        }
    }
    if (transfer_encoding && (codings.size() != 1 || codings[0] != "chunked")) {
        Violated("Transfer-Encoding other than chunked", r.target);
    }
    if (transfer_encoding && content_length) Violated("Transfer-Encoding with Content-Length", r.target);
    if (transfer_encoding && r.version != 11) Violated("Transfer-Encoding in HTTP/1.0", r.target);
    if (r.version == 11 ? hosts != 1 : hosts > 1) Violated("Host count", std::to_string(hosts));
    if (r.version != 10 && r.version != 11) Violated("version", std::to_string(r.version));
    if (r.target.empty() || r.target.front() != '/') Violated("target not origin-form", r.target);
    if (r.path.empty() || r.path.front() != '/') Violated("path not absolute", r.path);
    if (HasDotSegment(r.path)) Violated("dot segment", r.path);
    if (r.body.size() > kLimits.max_body_bytes) Violated("body over the limit", r.target);
}

// What a connection made of the input: each accepted request, then how it ended.
struct Transcript {
    std::vector<Request> requests;
    RequestParser::State end = RequestParser::State::kNeedMore;
    int status = 0;
};

// Delivers `input` in pieces of the sizes `next_piece` returns, as reads from a socket would.
template <class NextPiece>
Transcript Run(std::string_view input, NextPiece next_piece) {
    Transcript t;
    std::string pending;
    size_t offered = 0;
    auto parser = std::make_unique<RequestParser>(kLimits);
    for (;;) {
        size_t used = parser->Feed(pending);
        if (used > pending.size()) Violated("consumed more than offered", pending);
        pending.erase(0, used);
        if (parser->state() == RequestParser::State::kDone) {
            Request r = parser->TakeRequest();
            CheckInvariants(r);
            t.requests.push_back(std::move(r));
            parser = std::make_unique<RequestParser>(kLimits);
            continue;  // the rest may hold the next request
        }
        if (parser->state() == RequestParser::State::kFailed) {
            t.end = RequestParser::State::kFailed;
            t.status = parser->error().status;
            int s = t.status;
            if (s != 400 && s != 413 && s != 431 && s != 501) Violated("status", std::to_string(s));
            return t;
        }
        if (offered == input.size()) return t;  // kNeedMore with nothing left to deliver
        size_t n = std::min(next_piece(), input.size() - offered);
        pending.append(input.substr(offered, n));
        offered += n;
    }
}

bool Same(const Request& a, const Request& b) {
    return a.method == b.method && a.target == b.target && a.version == b.version && a.body == b.body &&
           a.headers.all() == b.headers.all() && a.path == b.path && a.query == b.query;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    Transcript whole = Run(input, [&] { return input.size(); });

    // Piece sizes from a generator seeded by the input: mostly tiny, sometimes large.
    uint64_t state = 1469598103934665603ull;
    for (unsigned char c : input) state = (state ^ c) * 1099511628211ull;
    Transcript pieces = Run(input, [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = state >> 33;
        return static_cast<size_t>(r % 8 == 0 ? 1 + r % 512 : 1 + r % 7);
    });

    // What is accepted must not depend on delivery. How a refusal shows may: Beast parses the request
    // line at once on a first call but waits for the whole head on later ones, so garbage arriving whole
    // is refused at once, and in pieces only when the head ends or reaches the limit.
    if (whole.requests.size() != pieces.requests.size()) Violated("request count depends on delivery", input);
    for (size_t i = 0; i < whole.requests.size(); ++i) {
        if (!Same(whole.requests[i], pieces.requests[i])) Violated("request depends on delivery", input);
    }
    return 0;
}
