#include "kit/service/metrics.hpp"

#include <gtest/gtest.h>

namespace reservo::service {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistograms) {
    Metrics m;
    m.Counter("requests_total", "Requests", {{"status", "200"}}).Inc(3);
    m.Counter("requests_total", "Requests", {{"status", "200"}}).Inc();
    double backlog = 7;
    m.Gauge("outbox_backlog", "Backlog", {}, [&] { return backlog; });
    auto& h = m.Histogram("latency_seconds", "Latency", {{"route", "/x"}});
    h.Observe(0.0007);
    h.Observe(3);
    std::string text = m.Render();
    EXPECT_NE(text.find("reservo_requests_total{status=\"200\"} 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("reservo_outbox_backlog 7\n"), std::string::npos) << text;
    EXPECT_NE(text.find("reservo_latency_seconds_bucket{route=\"/x\",le=\"0.001\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("reservo_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE reservo_latency_seconds histogram"), std::string::npos);
    backlog = 0;
    EXPECT_NE(m.Render().find("reservo_outbox_backlog 0\n"), std::string::npos);
}

}  // namespace
}  // namespace reservo::service
