// Consumer-driven contracts at synchronous service boundaries: the consumer's expectations of a
// provider, kept in a JSON file (systems/<system>/contracts/<consumer>-<provider>.json) that the
// provider's real process is verified against, and that a stub answers from when the consumer is
// tested. A change on either side that breaks the other's expectations fails a test.
//
// The format (Pact-like; every key is checked, a typo is an error):
//
//   {"consumer": "vaccine/reservation", "provider": "vaccine/vaccine-mgmt", "description": "...",
//    "interactions": [{
//      "description": "takes one dose from a lot given by id",
//      "providerStates": [{"description": "a lot of two doses",
//                          "request": {"method": "POST", "path": "/vaccineMgmts", "body": {...}},
//                          "capture": {"lotId": "id"}}],
//      "request": {"method": "PUT", "path": "/vaccineMgmts/updateVaccine",
//                  "query": {"reservationId": {"type": "integer", "example": "101"}, "vaccineId": "${lotId}"}},
//      "response": {"status": 200, "headers": {"Content-Type": "application/json"},
//                   "body": {"id": {"type": "integer", "equals": "${lotId}"},
//                            "availableDate": {"regex": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "example": "2026-12-01"}}},
//      "then": [{"description": "one dose fewer", "request": {"method": "GET", "path": "/vaccineMgmts/${lotId}"},
//                "response": {"status": 200, "body": {"qty": 1}}}]}]}
//
// - providerStates: requests run against the provider first (expected 2xx unless a status is
//   given); `capture` names values of their answers ("id", "a.b.0.c", or "header:Location") as
//   variables. `then`: checks run after the interaction (provider side only).
// - ${name} in a path, query value, header, request body or `equals` is a variable. A string that
//   is exactly "${name}" stands for the variable's JSON value; inside a longer string, its text.
//   On the consumer side a variable not bound yet is bound by the request the consumer sent.
// - A matcher: {"type": string|integer|number|boolean|object|array|null, "equals": value,
//   "regex": whole-string ECMAScript pattern, "example": value, "absent": true}; a plain value is
//   {"equals": value}. Query values are text: "integer" means digits. Body matchers are keyed by
//   dotted paths. The provider's answer may hold more than the contract names; the consumer may
//   rely on nothing else.
// - Requests sent to the provider use `equals` (variables filled in) or else `example`; query
//   values are percent-encoded. A stub answers with `equals` when its variables are bound, else
//   `example`.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kit/core/error.hpp"
#include "kit/http/message.hpp"
#include "tests/e2e/system_fixture.hpp"

namespace reservo::contract {

namespace bj = boost::json;

// What one value must be.
struct Matcher {
    std::optional<std::string> type;  // string, integer, number, boolean, object, array, null
    std::optional<bj::value> equals;  // may hold ${variables}
    std::optional<std::string> regex;
    std::optional<bj::value> example;
    bool absent = false;
};

using Matchers = std::vector<std::pair<std::string, Matcher>>;  // name or dotted path → matcher, in order

struct RequestSpec {
    std::string method;
    std::string path;  // may hold ${variables}
    Matchers query;
    Matchers headers;
    std::optional<bj::value> body;  // sent as JSON
};

struct ResponseSpec {
    std::optional<int> status;  // unset (provider states only): any 2xx
    Matchers headers;
    Matchers body;
};

// A provider state or a check after an interaction.
struct Step {
    std::string description;
    RequestSpec request;
    ResponseSpec response;
    std::vector<std::pair<std::string, std::string>> capture;  // variable → body path or "header:Name"
};

struct Interaction {
    std::string description;
    std::vector<Step> given;  // "providerStates"
    RequestSpec request;
    ResponseSpec response;
    std::vector<Step> then;
};

struct Contract {
    std::string file;  // as named in messages: relative to the source tree when it lies there
    std::string consumer;
    std::string provider;  // "SYSTEM/SERVICE": what `reservo serve` runs
    std::string description;
    std::vector<Interaction> interactions;

    // The interaction with this description, or nullptr.
    const Interaction* Find(std::string_view description) const;
    // "FILE (consumer → provider), interaction "…"" for messages.
    std::string Where(const Interaction& interaction) const;
};

using Vars = std::map<std::string, bj::value, std::less<>>;

// Parses a contract; an error names the offending place ("interactions[2].response.status: ...").
Result<Contract> ParseContract(std::string_view text, std::string file);
Result<Contract> LoadContract(const std::string& path);
// Every systems/*/contracts/*.json under the source tree, sorted.
std::vector<std::string> FindContracts(const std::string& source_dir);

// ${name} replaced: a string that is exactly one variable becomes its value, others get its text.
// Names not in `vars` stay as they are and are added to `unbound`.
bj::value Substitute(const bj::value& value, const Vars& vars, std::vector<std::string>* unbound = nullptr);
std::string SubstituteText(std::string_view text, const Vars& vars, std::vector<std::string>* unbound = nullptr);

// Mismatches of one value (`actual` null: absent) against a matcher; empty when it matches.
std::vector<std::string> MatchValue(std::string_view where, const Matcher& matcher, const bj::value* actual,
                                    const Vars& vars);
// Mismatches of an answer against what the contract expects.
std::vector<std::string> MatchResponse(const ResponseSpec& spec, const e2e::Reply& reply, const Vars& vars);
// Mismatches of a request a consumer sent; binds the variables it carries.
std::vector<std::string> MatchRequest(const RequestSpec& spec, const http::Request& request, Vars& vars);

// The request the contract describes, for the provider (variables from `vars`).
http::Request BuildRequest(const RequestSpec& spec, const Vars& vars);
// The answer a stub gives for an interaction; an error when a value has neither a bound `equals`
// nor an `example`.
Result<http::Response> ExampleResponse(const ResponseSpec& spec, const Vars& vars);

// Runs every interaction (states, request, checks) against a provider at 127.0.0.1:port, which
// must be fresh (an empty store). Each failure names the contract, the interaction and the mismatch.
std::vector<std::string> VerifyProvider(const Contract& contract, int port);
// Starts the contract's provider for real (`reservo serve PROVIDER` in a temporary data directory)
// and verifies the contract against it.
std::vector<std::string> VerifyRealProvider(const Contract& contract);

// An HTTP server on a free port that plays the provider of a contract for a consumer under test:
// armed with one interaction, it checks each request against it and answers its example response
// (a request that does not match gets a 500 whose detail lists the mismatches).
class StubProvider final {
  public:
    struct Seen {
        std::string request;  // "PUT /vaccineMgmts/updateVaccine?..."
        std::vector<std::string> mismatches;
        int answered = 0;  // the status it got
    };

    StubProvider();
    ~StubProvider();
    StubProvider(const StubProvider&) = delete;
    StubProvider& operator=(const StubProvider&) = delete;

    int port() const { return port_; }
    // Answers the next requests from `interaction` (forgetting what was seen before).
    void Arm(const Interaction& interaction);
    // What it received since Arm; `vars` bound by the last matching request.
    std::vector<Seen> seen() const;
    Vars vars() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace reservo::contract
