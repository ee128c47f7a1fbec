#include "kit/service/metrics.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

#include "kit/service/process_metrics.hpp"

namespace reservo::service {
namespace {

// Every line of the text format 0.0.4: a HELP or TYPE comment, or `name{labels} value`, and
// every sample belongs to a family declared by a TYPE line before it. Returns the problems.
std::vector<std::string> ParseProblems(const std::string& text) {
    static const std::regex kSample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")"
        R"((,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? ([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$)");
    static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
    std::vector<std::string> problems;
    std::set<std::string> families;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (line.starts_with("# HELP ")) continue;
        if (std::regex_match(line, m, kType)) {
            families.insert(m[1]);
            continue;
        }
        if (!std::regex_match(line, m, kSample)) {
            problems.push_back("unparsable: " + line);
            continue;
        }
        std::string name = m[1];
        bool declared = families.contains(name);
        for (std::string suffix : {"_bucket", "_sum", "_count"}) {
            if (name.ends_with(suffix))
                declared = declared || families.contains(name.substr(0, name.size() - suffix.size()));
        }
        if (!declared) problems.push_back("no TYPE before: " + line);
    }
    return problems;
}

TEST(MetricsTest, RendersCountersGaugesAndHistograms) {
    Metrics m;
    m.Counter("reservo_requests_total", "Requests", {{"status", "200"}}).Inc(3);
    m.Counter("reservo_requests_total", "Requests", {{"status", "200"}}).Inc();
    double backlog = 7;
    m.Gauge("reservo_outbox_backlog", "Backlog", {}, [&] { return backlog; });
    auto& h = m.Histogram("http_server_requests_seconds", "Latency", {{"uri", "/x"}});
    h.Observe(0.0007);
    h.Observe(3);
    std::string text = m.Render();
    EXPECT_NE(text.find("reservo_requests_total{status=\"200\"} 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("reservo_outbox_backlog 7\n"), std::string::npos) << text;
    EXPECT_NE(text.find("http_server_requests_seconds_bucket{uri=\"/x\",le=\"0.0005\"} 0\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("http_server_requests_seconds_bucket{uri=\"/x\",le=\"0.001\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("http_server_requests_seconds_bucket{uri=\"/x\",le=\"0.0025\"} 1\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("http_server_requests_seconds_bucket{uri=\"/x\",le=\"10\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("http_server_requests_seconds_bucket{uri=\"/x\",le=\"+Inf\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("http_server_requests_seconds_sum{uri=\"/x\"} 3.0007\n"), std::string::npos) << text;
    EXPECT_NE(text.find("http_server_requests_seconds_count{uri=\"/x\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE http_server_requests_seconds histogram\n"), std::string::npos);
    EXPECT_NE(text.find("# TYPE reservo_requests_total counter\n"), std::string::npos);
    EXPECT_EQ(text.find("00000"), std::string::npos) << "bucket bounds printed with noise digits:\n" << text;
    EXPECT_EQ(ParseProblems(text), std::vector<std::string>{});
    backlog = 0;
    EXPECT_NE(m.Render().find("reservo_outbox_backlog 0\n"), std::string::npos);
}

TEST(MetricsTest, ValuesAreTheShortestTextThatReadsBack) {
    EXPECT_EQ(Metrics::FormatValue(0.0005), "0.0005");
    EXPECT_EQ(Metrics::FormatValue(0.1), "0.1");
    EXPECT_EQ(Metrics::FormatValue(2.5), "2.5");
    EXPECT_EQ(Metrics::FormatValue(10), "10");
    EXPECT_EQ(Metrics::FormatValue(-1), "-1");
    EXPECT_EQ(Metrics::FormatValue(1763782345.5), "1763782345.5");
    EXPECT_EQ(Metrics::FormatValue(1e20), "1e+20");
    EXPECT_EQ(Metrics::FormatValue(0), "0");
    EXPECT_EQ(Metrics::FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(Metrics::FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
    for (double v : Metrics::LatencyBuckets()) EXPECT_EQ(std::stod(Metrics::FormatValue(v)), v);
}

TEST(MetricsTest, CollectedFamiliesAndCountersReadAtScrapeTime) {
    Metrics m;
    std::vector<Sample> lags = {{{{"partition", "1"}}, 5}, {{{"partition", "0"}}, 2}};
    m.Collect("reservo_consumer_lag", "Lag", "gauge", [&] { return lags; });
    double cpu = 1.5;
    m.CounterFrom("process_cpu_seconds_total", "CPU", {}, [&] { return cpu; });
    m.Gauge("g", "A \"help\" with a back\\slash\nand a newline", {{"v", "a\"b\\c\nd"}}, [] { return 1; });
    std::string text = m.Render();
    // Sorted by labels, whatever order the collector gives.
    EXPECT_NE(text.find("reservo_consumer_lag{partition=\"0\"} 2\nreservo_consumer_lag{partition=\"1\"} 5\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("# HELP g A \"help\" with a back\\\\slash\\nand a newline\n"), std::string::npos) << text;
    EXPECT_NE(text.find("g{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
    EXPECT_EQ(ParseProblems(text), std::vector<std::string>{});
    lags.clear();  // partitions given away: their series go
    cpu = 2;
    text = m.Render();
    EXPECT_EQ(text.find("reservo_consumer_lag{"), std::string::npos) << text;
    EXPECT_NE(text.find("process_cpu_seconds_total 2\n"), std::string::npos) << text;
}

TEST(MetricsTest, OutcomeAsMicrometerNamesIt) {
    EXPECT_EQ(HttpOutcome(101), "INFORMATIONAL");
    EXPECT_EQ(HttpOutcome(204), "SUCCESS");
    EXPECT_EQ(HttpOutcome(304), "REDIRECTION");
    EXPECT_EQ(HttpOutcome(404), "CLIENT_ERROR");
    EXPECT_EQ(HttpOutcome(503), "SERVER_ERROR");
    EXPECT_EQ(HttpOutcome(99), "UNKNOWN");
    EXPECT_EQ(HttpOutcome(600), "UNKNOWN");
}

TEST(ProcessMetricsTest, ReadsThisProcessFromProc) {
    std::vector<char> ballast(64 << 20, 1);  // 64 MiB touched: resident memory grows by about that
    auto s = ReadProcessStats();
    ASSERT_TRUE(s.has_value());
    EXPECT_GT(s->resident_bytes, 64 << 20);
    EXPECT_GE(s->virtual_bytes, s->resident_bytes);
    EXPECT_GE(s->cpu_seconds, 0);
    const double now = static_cast<double>(std::time(nullptr));
    EXPECT_LE(s->start_time_seconds, now + 1);
    EXPECT_GT(s->start_time_seconds, now - 3600) << "this test started within the hour";
    EXPECT_GE(s->open_fds, 3);  // stdin, stdout, stderr
    EXPECT_GE(s->max_fds, s->open_fds);
    EXPECT_EQ(ballast[ballast.size() - 1], 1);

    Metrics m;
    AddProcessMetrics(m);
    std::string text = m.Render();
    for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                             "process_start_time_seconds ", "process_open_fds ", "process_max_fds "}) {
        EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name << "\n" << text;
    }
    EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
    EXPECT_EQ(ParseProblems(text), std::vector<std::string>{});
}

}  // namespace
}  // namespace reservo::service
