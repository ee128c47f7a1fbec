// What the clients of a load (LoadLoop) were answered: a tally by request kind and status, and
// the answers the test does not allow. A suite's own record derives from it and adds what is
// specific to its system (which ids were created, canceled, ...):
//
//   struct LoadRecord : reservo::e2e::LoadTally {
//       std::set<int64_t> created;  // answered 201
//   };
//   LoadRecord rec;
//   {
//       LoadLoop load(4, [&](Http& http, int) -> Awaitable<void> {
//           Reply r = co_await http.Send(gw, "POST", "/reservations", body);
//           rec.Count("POST", r, kAnswersUnderCrash.post);
//           if (r.status == 201) rec.created.insert(AsInt(r.Json().as_object()["id"]));
//       }, 5ms);
//       ...
//   }
//   std::cout << "[   info   ] " << rec.Summary() << "\n";
//   EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
//   EXPECT_GT(rec.Answers("POST", 201), 0) << rec.Summary();
//
// A record is touched only by the load's own thread (every worker of a LoadLoop runs on it) until
// the load stops; the test reads it afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {

// Which answers a load accepts, by request kind.
struct AllowedAnswers {
    std::set<int> post, patch, get;
};
// Under a crash, 503 (circuit open, dependency down) and 504 (lost in flight: outcome unknown) are
// honest answers besides success; under a rolling restart nothing but success.
inline const AllowedAnswers kAnswersUnderCrash{{201, 503, 504}, {200, 503, 504}, {200, 503, 504}};
inline const AllowedAnswers kAnswersUnderRestart{{201}, {200}, {200}};

class LoadTally {
  public:
    // Shows every failure in FailureReport.
    static constexpr size_t kAll = static_cast<size_t>(-1);

    // Tallies one answer under `kind` ("POST", "GET lot", ...); one outside `allowed` is a failure,
    // described as "<label, or kind>: <the answer>".
    void Count(const std::string& kind, const Reply& reply, const std::set<int>& allowed,
               const std::string& label = {}) {
        Tally(kind, reply);
        if (!allowed.contains(reply.status))
            failures.push_back((label.empty() ? kind : label) + ": " + reply.Describe());
    }
    // Tallies an answer the test judges itself (a retry once the load stopped, ...).
    void Tally(const std::string& kind, const Reply& reply) {
        ++requests;
        ++answers_[kind][reply.status];
    }

    // How many answers of `kind` had `status` (0: no answer at all).
    int Answers(const std::string& kind, int status) const {
        auto by_kind = answers_.find(kind);
        if (by_kind == answers_.end()) return 0;
        auto n = by_kind->second.find(status);
        return n == by_kind->second.end() ? 0 : n->second;
    }
    // Requests of `kind` whose outcome the client cannot know (no answer, or the gateway's 504): a
    // POST among them may have stored something without its 201.
    int Unknown(const std::string& kind) const { return Answers(kind, 0) + Answers(kind, 504); }

    // "120 requests; GET 200x40; PATCH 200x20 503x1; POST 201x59", for the log and failure messages.
    std::string Summary() const {
        std::ostringstream out;
        out << requests << " requests";
        for (const auto& [kind, by_status] : answers_) {
            out << "; " << kind;
            for (auto [status, n] : by_status) out << " " << status << "x" << n;
        }
        return out.str();
    }
    // Every failure (the first `shown` of them, then how many more) and the Summary, for the
    // message of `EXPECT_EQ(rec.failures.size(), 0u)`.
    std::string FailureReport(size_t shown = 20) const {
        std::ostringstream out;
        out << failures.size() << " answers not allowed, of " << Summary();
        for (size_t i = 0; i < failures.size() && i < shown; ++i) out << "\n  " << failures[i];
        if (failures.size() > shown) out << "\n  ... and " << failures.size() - shown << " more";
        return out.str();
    }

    std::vector<std::string> failures;  // answers (or other outcomes) the test does not allow
    int64_t requests = 0;               // answers tallied

  private:
    std::map<std::string, std::map<int, int>, std::less<>> answers_;  // kind → status → count
};

}  // namespace reservo::e2e
