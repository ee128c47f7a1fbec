#include "kit/service/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace reservo::service {
namespace {

std::string LabelText(const Labels& labels, const std::string& extra = "") {
    std::string out;
    for (const auto& [k, v] : labels) {
        out += out.empty() ? "{" : ",";
        out += k + "=\"";
        for (char c : v) {
            if (c == '"' || c == '\\') out += '\\';
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            out += c;
        }
        out += '"';
    }
    if (!extra.empty()) out += (out.empty() ? "{" : ",") + extra;
    if (!out.empty()) out += '}';
    return out;
}

std::string Num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// Re-inserts `le` into an already rendered label set.
std::string WithLe(const std::string& labels, const std::string& le) {
    std::string extra = "le=\"" + le + "\"";
    if (labels.empty()) return "{" + extra + "}";
    return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

void HistogramMetric::Observe(double v) {
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    ++counts_[static_cast<size_t>(it - bounds_.begin())];
    sum_ += v;
    ++count_;
}

const std::vector<double>& Metrics::LatencyBuckets() {
    static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return kBuckets;
}

CounterMetric& Metrics::Counter(const std::string& name, const std::string& help, const Labels& labels) {
    auto& f = families_["reservo_" + name];
    f.help = help;
    f.type = "counter";
    auto& slot = f.counters[LabelText(labels)];
    if (!slot) slot = std::make_unique<CounterMetric>();
    return *slot;
}

HistogramMetric& Metrics::Histogram(const std::string& name, const std::string& help, const Labels& labels) {
    auto& f = families_["reservo_" + name];
    f.help = help;
    f.type = "histogram";
    auto& slot = f.histograms[LabelText(labels)];
    if (!slot) slot = std::make_unique<HistogramMetric>(LatencyBuckets());
    return *slot;
}

void Metrics::Gauge(const std::string& name, const std::string& help, const Labels& labels,
                    std::function<double()> read) {
    auto& f = families_["reservo_" + name];
    f.help = help;
    f.type = "gauge";
    f.gauges[LabelText(labels)] = std::move(read);
}

std::string Metrics::Render() const {
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
        for (const auto& [labels, c] : f.counters) out += name + labels + " " + Num(c->value()) + "\n";
        for (const auto& [labels, g] : f.gauges) out += name + labels + " " + Num(g()) + "\n";
        for (const auto& [labels, h] : f.histograms) {
            uint64_t cumulative = 0;
            for (size_t i = 0; i < h->bounds().size(); ++i) {
                cumulative += h->counts()[i];
                out += name + "_bucket" + WithLe(labels, Num(h->bounds()[i])) + " " + std::to_string(cumulative) + "\n";
            }
            out += name + "_bucket" + WithLe(labels, "+Inf") + " " + std::to_string(h->count()) + "\n";
            out += name + "_sum" + labels + " " + Num(h->sum()) + "\n";
            out += name + "_count" + labels + " " + std::to_string(h->count()) + "\n";
        }
    }
    return out;
}

}  // namespace reservo::service
