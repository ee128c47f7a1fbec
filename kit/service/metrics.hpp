// Prometheus metrics: counters, gauges read at scrape time, and latency histograms, under the
// names Micrometer and Resilience4j users know (http_server_requests_seconds,
// resilience4j_circuitbreaker_state, process_cpu_seconds_total, ...) and `reservo_` for our own.
//
//   Metrics metrics;
//   auto& h = metrics.Histogram("http_server_requests_seconds", "HTTP server requests",
//                               {{"method", "GET"}, {"uri", "/things/{id}"}, {"status", "200"}, {"outcome",
//                               "SUCCESS"}});
//   h.Observe(0.004);
//   metrics.Gauge("reservo_outbox_backlog", "Events not yet relayed", {}, [&] { return relay.Backlog(); });
//   metrics.Collect("reservo_consumer_lag", "Lag", "gauge", [&] { return LagPerPartition(); });
//   std::string text = metrics.Render();    // text exposition format 0.0.4
//
// Names are used as given. Single-threaded: the registry lives on one event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reservo::service {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One series of a family read at scrape time (Metrics::Collect).
struct Sample {
    Labels labels;
    double value = 0;
};

// Micrometer's `outcome` of an HTTP status: INFORMATIONAL, SUCCESS, REDIRECTION, CLIENT_ERROR,
// SERVER_ERROR, or UNKNOWN outside 100..599.
std::string_view HttpOutcome(int status);

class CounterMetric final {
  public:
    void Inc(double by = 1) { value_ += by; }
    double value() const { return value_; }

  private:
    double value_ = 0;
};

class HistogramMetric final {
  public:
    explicit HistogramMetric(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}
    void Observe(double v);
    const std::vector<double>& bounds() const { return bounds_; }
    const std::vector<uint64_t>& counts() const { return counts_; }
    double sum() const { return sum_; }
    uint64_t count() const { return count_; }

  private:
    std::vector<double> bounds_;
    std::vector<uint64_t> counts_;
    double sum_ = 0;
    uint64_t count_ = 0;
};

class Metrics final {
  public:
    CounterMetric& Counter(const std::string& name, const std::string& help, const Labels& labels = {});
    HistogramMetric& Histogram(const std::string& name, const std::string& help, const Labels& labels = {});
    void Gauge(const std::string& name, const std::string& help, const Labels& labels, std::function<double()> read);
    // A counter kept elsewhere (a circuit breaker's, the kernel's), read at scrape time.
    void CounterFrom(const std::string& name, const std::string& help, const Labels& labels,
                     std::function<double()> read);
    // A family whose series are known only at scrape time (lag per partition); `type` is
    // "gauge" or "counter". Several collectors may add to one family.
    void Collect(const std::string& name, const std::string& help, const std::string& type,
                 std::function<std::vector<Sample>()> read);

    std::string Render() const;

    // Latency buckets in seconds, 0.5 ms to 10 s.
    static const std::vector<double>& LatencyBuckets();
    // The shortest text that reads back as `v` ("0.0005", "10", "+Inf", "NaN").
    static std::string FormatValue(double v);

  private:
    struct Family {
        std::string help;
        std::string type;
        std::map<std::string, std::unique_ptr<CounterMetric>> counters;
        std::map<std::string, std::unique_ptr<HistogramMetric>> histograms;
        std::map<std::string, std::function<double()>> reads;
        std::vector<std::function<std::vector<Sample>()>> collectors;
    };
    Family& Declare(const std::string& name, const std::string& help, std::string_view type);
    std::map<std::string, Family> families_;
};

}  // namespace reservo::service
