#include "kit/service/event_search.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kit/core/clock.hpp"

namespace reservo::service {

boost::asio::awaitable<Result<SubjectEvents>> EventsWithSubject(boost::asio::io_context& io, messaging::EventLog& log,
                                                                const std::string& topic, const std::string& subject,
                                                                SubjectSearch search) {
    SubjectEvents out;
    out.partition = messaging::PartitionFor(subject, log.Partitions(topic));
    auto start = log.StartOffset(topic, out.partition);
    if (!start) co_return Fail(start.error());
    auto end = log.EndOffset(topic, out.partition);
    if (!end) co_return Fail(end.error());
    out.end = *end;
    out.from = std::max(*start, *end - std::max<int64_t>(search.max_scan, 0));
    out.older_unscanned = out.from > *start;
    const auto give_up = SteadyClock::now() + search.patience;
    for (int64_t at = out.from; at < out.end;) {
        auto records = log.Fetch(topic, out.partition, at, 500);
        if (!records) co_return Fail(records.error());
        if (records->empty()) {
            if (SteadyClock::now() > give_up) {
                co_return Fail(Code::kUnavailable, "the event log did not hand out offsets " + std::to_string(at) +
                                                       ".." + std::to_string(out.end) + " of " + topic + " in time");
            }
            boost::asio::steady_timer wait(io, std::chrono::milliseconds(5));
            co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            continue;
        }
        for (auto& r : *records) {
            if (r.offset >= out.end) break;
            if (r.event.subject == subject) out.records.push_back(std::move(r));
        }
        at = records->back().offset + 1;
        if (out.records.size() > search.max_matches) {
            out.matches_dropped = true;
            out.records.erase(out.records.begin(), out.records.begin() + static_cast<std::ptrdiff_t>(
                                                                             out.records.size() - search.max_matches));
        }
    }
    co_return out;
}

}  // namespace reservo::service
