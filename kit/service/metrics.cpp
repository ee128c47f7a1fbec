#include "kit/service/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace reservo::service {
namespace {

void AppendEscaped(std::string& out, std::string_view text, bool quotes) {
    for (char c : text) {
        if (c == '\\') {
            out.append("\\\\");
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '"' && quotes) {
            out.append("\\\"");
        } else {
            out.push_back(c);
        }
    }
}

// `{k="v",...}` without the closing brace, or empty; Render closes it (after `le` for buckets).
std::string OpenLabels(const Labels& labels) {
    std::string out;
    for (const auto& [k, v] : labels) {
        out.append(out.empty() ? "{" : ",");
        out.append(k);
        out.append("=\"");
        AppendEscaped(out, v, true);
        out.push_back('"');
    }
    return out;
}

std::string Closed(const std::string& open) { return open.empty() ? open : open + "}"; }

void AppendSample(std::string& out, const std::string& name, std::string_view suffix, const std::string& labels,
                  double value) {
    out.append(name);
    out.append(suffix);
    out.append(labels);
    out.push_back(' ');
    out.append(Metrics::FormatValue(value));
    out.push_back('\n');
}

std::string WithLe(const std::string& open, const std::string& le) {
    std::string out = open.empty() ? std::string("{") : open + ",";
    out.append("le=\"");
    out.append(le);
    out.append("\"}");
    return out;
}

}  // namespace

std::string_view HttpOutcome(int status) {
    switch (status / 100) {
        case 1:
            return "INFORMATIONAL";
        case 2:
            return "SUCCESS";
        case 3:
            return "REDIRECTION";
        case 4:
            return "CLIENT_ERROR";
        case 5:
            return "SERVER_ERROR";
        default:
            return "UNKNOWN";
    }
}

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

std::string Metrics::FormatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    // The shortest digits that read back exactly, laid out as people and Prometheus clients
    // write them: 0.0005 (not 5e-04), 10, 1763782345.5; scientific only far from 1.
    const double magnitude = std::fabs(v);
    const bool fixed = v == 0 || (magnitude >= 1e-4 && magnitude < 1e15);
    auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, v, fixed ? std::chars_format::fixed : std::chars_format::scientific);
    return std::string(buf, end);
}

Metrics::Family& Metrics::Declare(const std::string& name, const std::string& help, std::string_view type) {
    auto& f = families_[name];
    f.help = help;
    f.type = type;
    return f;
}

CounterMetric& Metrics::Counter(const std::string& name, const std::string& help, const Labels& labels) {
    auto& slot = Declare(name, help, "counter").counters[Closed(OpenLabels(labels))];
    if (!slot) slot = std::make_unique<CounterMetric>();
    return *slot;
}

HistogramMetric& Metrics::Histogram(const std::string& name, const std::string& help, const Labels& labels) {
    auto& slot = Declare(name, help, "histogram").histograms[OpenLabels(labels)];
    if (!slot) slot = std::make_unique<HistogramMetric>(LatencyBuckets());
    return *slot;
}

void Metrics::Gauge(const std::string& name, const std::string& help, const Labels& labels,
                    std::function<double()> read) {
    Declare(name, help, "gauge").reads[Closed(OpenLabels(labels))] = std::move(read);
}

void Metrics::CounterFrom(const std::string& name, const std::string& help, const Labels& labels,
                          std::function<double()> read) {
    Declare(name, help, "counter").reads[Closed(OpenLabels(labels))] = std::move(read);
}

void Metrics::Collect(const std::string& name, const std::string& help, const std::string& type,
                      std::function<std::vector<Sample>()> read) {
    Declare(name, help, type).collectors.push_back(std::move(read));
}

std::string Metrics::Render() const {
    std::string out;
    for (const auto& [name, f] : families_) {
        out.append("# HELP ");
        out.append(name);
        out.push_back(' ');
        AppendEscaped(out, f.help, false);
        out.append("\n# TYPE ");
        out.append(name);
        out.push_back(' ');
        out.append(f.type);
        out.push_back('\n');
        for (const auto& [labels, c] : f.counters) AppendSample(out, name, "", labels, c->value());
        for (const auto& [labels, read] : f.reads) AppendSample(out, name, "", labels, read());
        for (const auto& collect : f.collectors) {
            std::vector<Sample> samples = collect();
            std::sort(samples.begin(), samples.end(),
                      [](const Sample& a, const Sample& b) { return a.labels < b.labels; });
            for (const auto& s : samples) AppendSample(out, name, "", Closed(OpenLabels(s.labels)), s.value);
        }
        for (const auto& [open, h] : f.histograms) {
            uint64_t cumulative = 0;
            for (size_t i = 0; i < h->bounds().size(); ++i) {
                cumulative += h->counts()[i];
                AppendSample(out, name, "_bucket", WithLe(open, FormatValue(h->bounds()[i])),
                             static_cast<double>(cumulative));
            }
            AppendSample(out, name, "_bucket", WithLe(open, "+Inf"), static_cast<double>(h->count()));
            AppendSample(out, name, "_sum", Closed(open), h->sum());
            AppendSample(out, name, "_count", Closed(open), static_cast<double>(h->count()));
        }
    }
    return out;
}

}  // namespace reservo::service
