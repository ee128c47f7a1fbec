// Appends to the embedded event log as fast as C clients can, for bench/event_log_vs_redis.sh.
//
//   reservo_bench_event_log --path DIR/events.db --clients 8 --records 20000 --batch 1 --payload 200
//
// Each client is a thread with its own connection to the log (as each process of a system has its
// own), appending `batch` events per Append — one durable transaction each (synchronous=FULL, as
// shipped: the relay deletes an outbox row only once its event survives a power loss). Append never
// waits for the write lock (it fails at once with Unavailable while another connection holds it), so
// a client backs off a little and tries again, as the outbox relay does. Prints one line:
//   RESULT clients=8 records=20000 batch=1 event_bytes=420 seconds=1.234 appends_per_s=16207 busy_retries=123 p50_us=..
//   p99_us=..
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "kit/messaging/cloud_event.hpp"
#include "kit/messaging/sqlite_event_log.hpp"

namespace {

using reservo::Code;
using reservo::messaging::CloudEvent;
using reservo::messaging::SqliteEventLog;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string path;
    int clients = 1;
    int records = 10000;
    int batch = 1;
    int payload = 200;
    int partitions = 4;
};

int Usage() {
    std::fprintf(stderr,
                 "usage: reservo_bench_event_log --path FILE [--clients C] [--records N] [--batch B] "
                 "[--payload BYTES] [--partitions P]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const char* value = argv[i + 1];
        if (flag == "--path") {
            o.path = value;
        } else if (flag == "--clients") {
            o.clients = std::atoi(value);
        } else if (flag == "--records") {
            o.records = std::atoi(value);
        } else if (flag == "--batch") {
            o.batch = std::atoi(value);
        } else if (flag == "--payload") {
            o.payload = std::atoi(value);
        } else if (flag == "--partitions") {
            o.partitions = std::atoi(value);
        } else {
            return Usage();
        }
    }
    if (o.path.empty() || o.clients < 1 || o.records < 1 || o.batch < 1 || o.payload < 0) return Usage();

    // Open (and create the topic) once before the clock starts.
    if (auto first = SqliteEventLog::Open(o.path, o.partitions); !first) {
        std::fprintf(stderr, "cannot open %s: %s\n", o.path.c_str(), first.error().message.c_str());
        return 1;
    }
    const std::string filler(static_cast<size_t>(o.payload), 'x');
    std::atomic<int64_t> busy{0};
    std::atomic<bool> failed{false};
    std::vector<std::vector<int64_t>> latencies(static_cast<size_t>(o.clients));
    const int per_client = o.records / o.clients;
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < o.clients; ++c) {
        threads.emplace_back([&, c] {
            auto log = SqliteEventLog::Open(o.path, o.partitions);
            if (!log) {
                failed = true;
                return;
            }
            std::vector<CloudEvent> events;
            for (int done = 0; done < per_client && !failed;) {
                events.clear();
                for (int k = 0; k < o.batch && done + k < per_client; ++k) {
                    const std::string subject = "r-" + std::to_string(c) + "-" + std::to_string(done + k);
                    events.push_back(CloudEvent::New("/bench/relay", "VaccineReserved", subject, {{"pad", filler}}));
                }
                const auto t0 = Clock::now();
                auto pause = std::chrono::microseconds(50);
                for (;;) {
                    auto st = (*log)->Append("bench", events);
                    if (st) break;
                    if (st.error().code != Code::kUnavailable) {
                        std::fprintf(stderr, "append failed: %s\n", st.error().message.c_str());
                        failed = true;
                        return;
                    }
                    ++busy;  // another client holds the lock: back off and try again, as the relay does
                    std::this_thread::sleep_for(pause);
                    pause = std::min(pause * 2, std::chrono::microseconds(2000));
                }
                latencies[static_cast<size_t>(c)].push_back(
                    std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
                done += static_cast<int>(events.size());
            }
        });
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (failed) return 1;
    std::vector<int64_t> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) { return all.empty() ? 0 : all[std::min(all.size() - 1, size_t(p * all.size()))]; };
    const int64_t appended = static_cast<int64_t>(per_client) * o.clients;
    // What one record weighs as stored (the CloudEvent's JSON), so a peer can be given the same bytes.
    const size_t event_bytes =
        CloudEvent::New("/bench/relay", "VaccineReserved", "r-0-0", {{"pad", filler}}).ToJson().size();
    std::printf(
        "RESULT clients=%d records=%lld batch=%d event_bytes=%zu seconds=%.3f appends_per_s=%.0f busy_retries=%lld "
        "p50_us=%lld p99_us=%lld\n",
        o.clients, static_cast<long long>(appended), o.batch, event_bytes, seconds, appended / seconds,
        static_cast<long long>(busy.load()), static_cast<long long>(pct(0.5)), static_cast<long long>(pct(0.99)));
    return 0;
}
