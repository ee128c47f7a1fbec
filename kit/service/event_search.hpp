// The events of one correlation key in the system's event log, oldest first: the subject is the
// partition key, so one partition holds them all and only that partition is read, from its
// newest records back at most `max_scan` of them. What a saga's timeline and the gateway's
// `GET /events?subject=` show.
//
//   auto found = co_await service::EventsWithSubject(ctx.io(), *ctx.reader_log(), ctx.topic(), "17");
//   for (const messaging::Record& r : found->records) ...   // r.event.type, r.offset, ...
//   if (found->older_unscanned) ...                         // the partition holds more than was read
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kit/core/error.hpp"
#include "kit/messaging/event_log.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::service {

struct SubjectSearch {
    int64_t max_scan = 10'000;                                // records read at most: the partition's newest
    size_t max_matches = std::numeric_limits<size_t>::max();  // the newest matches kept
    // How long a fetch may keep coming back empty below the end offset (Kafka reads ahead in the
    // background) before the search gives up with Unavailable.
    std::chrono::milliseconds patience{2000};
};

struct SubjectEvents {
    std::vector<messaging::Record> records;  // in log order
    int partition = 0;
    int64_t from = 0;              // the first offset read
    int64_t end = 0;               // the end offset when the search began (later appends are not read)
    bool older_unscanned = false;  // the partition holds records before `from` that were not read
    bool matches_dropped = false;  // more matched than max_matches: the oldest were left out
};

boost::asio::awaitable<Result<SubjectEvents>> EventsWithSubject(boost::asio::io_context& io, messaging::EventLog& log,
                                                                const std::string& topic, const std::string& subject,
                                                                SubjectSearch search = {});

}  // namespace reservo::service
