// Prometheus metrics: counters, gauges read at scrape time, and latency histograms.
//
//   Metrics metrics;
//   auto& requests = metrics.Counter("http_server_requests_total", "Requests served", {{"status", "200"}});
//   requests.Inc();
//   metrics.Gauge("outbox_backlog", "Events not yet relayed", {}, [&] { return relay.Backlog(); });
//   std::string text = metrics.Render();    // text exposition format 0.0.4
//
// Names are prefixed `reservo_`. Single-threaded: the registry lives on one event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace reservo::service {

using Labels = std::vector<std::pair<std::string, std::string>>;

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

    std::string Render() const;

    // Latency buckets in seconds, 0.5 ms to 10 s.
    static const std::vector<double>& LatencyBuckets();

  private:
    struct Family {
        std::string help;
        std::string type;
        std::map<std::string, std::unique_ptr<CounterMetric>> counters;
        std::map<std::string, std::unique_ptr<HistogramMetric>> histograms;
        std::map<std::string, std::function<double()>> gauges;
    };
    std::map<std::string, Family> families_;
};

}  // namespace reservo::service
