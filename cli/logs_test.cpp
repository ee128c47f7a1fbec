#include "cli/logs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace reservo::cli {
namespace {

WallTime Utc(const char* iso) { return *ParseIsoTime(iso); }

TEST(Logs, SinceTakesDurationsBackFromNow) {
    WallTime now = Utc("2026-01-31T12:00:00Z");
    EXPECT_EQ(*ParseSince("30s", now), Utc("2026-01-31T11:59:30Z"));
    EXPECT_EQ(*ParseSince("5m", now), Utc("2026-01-31T11:55:00Z"));
    EXPECT_EQ(*ParseSince("1h30m", now), Utc("2026-01-31T10:30:00Z"));
    EXPECT_EQ(*ParseSince("2d", now), Utc("2026-01-29T12:00:00Z"));
    EXPECT_EQ(*ParseSince("500ms", now), now - std::chrono::milliseconds(500));
}

TEST(Logs, SinceTakesIsoTimes) {
    WallTime now = Utc("2026-01-31T12:00:00Z");
    EXPECT_EQ(*ParseSince("2026-01-31T10:00:00Z", now), Utc("2026-01-31T10:00:00.000Z"));
    EXPECT_EQ(*ParseSince("2026-01-31T11:00:00+01:00", now), Utc("2026-01-31T10:00:00Z"));
    EXPECT_EQ(*ParseSince("2026-01-31T10:00:00.250Z", now),
              Utc("2026-01-31T10:00:00Z") + std::chrono::milliseconds(250));
    EXPECT_TRUE(ParseSince("2026-01-31", now));
    EXPECT_TRUE(ParseSince("2026-01-31 10:00", now));
}

TEST(Logs, SinceRefusesWhatItCannotRead) {
    WallTime now = WallClock::now();
    for (const char* bad : {"", "5", "5x", "m5", "-5m", "2026-13-01", "2026-01-31T25:00Z", "yesterday", "5m ago"}) {
        auto since = ParseSince(bad, now);
        ASSERT_FALSE(since) << bad;
        EXPECT_EQ(since.error().code, Code::kInvalidArgument);
        EXPECT_NE(since.error().message.find("30s"), std::string::npos) << "says what is accepted";
    }
}

TEST(Logs, ReadsTheTimeAndPidOfARecord) {
    const std::string record = R"({"ts":"2026-01-31T12:00:01.500Z","level":"info","pid":4242,"service":"x","msg":"m"})";
    EXPECT_EQ(*LineTime(record), Utc("2026-01-31T12:00:01Z") + std::chrono::milliseconds(500));
    EXPECT_EQ(LinePid(record), 4242);
    EXPECT_FALSE(LineTime("terminate called after throwing"));
    EXPECT_EQ(LinePid("no pid here"), 0);
}

TEST(Logs, ReaderCarriesTimesAndKeepsPartialLinesUntilComplete) {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("reservo_logs_test_" + std::to_string(::getpid()));
    {
        std::ofstream out(path);
        out << R"({"ts":"2026-01-31T12:00:01.000Z","msg":"a"})"
            << "\n"
            << "a crash message\n"
            << R"({"ts":"2026-01-31T12:00:02.000Z","msg":"half)";
    }
    LogReader reader(path.string(), 3);
    std::vector<LogLine> lines;
    reader.ReadNew(lines, false);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].text, "a crash message");
    EXPECT_EQ(lines[1].time, Utc("2026-01-31T12:00:01Z")) << "takes the time of the line before";
    EXPECT_EQ(lines[1].source, 3u);
    {
        std::ofstream out(path, std::ios::app);
        out << R"("})"
            << "\n";
    }
    lines.clear();
    reader.ReadNew(lines, false);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].text, R"({"ts":"2026-01-31T12:00:02.000Z","msg":"half"})");
    {
        std::ofstream out(path, std::ios::trunc);
        out << "again\n";
    }
    lines.clear();
    reader.ReadNew(lines, false);
    ASSERT_EQ(lines.size(), 1u) << "a truncated file is read from its start";
    EXPECT_EQ(lines[0].text, "again");
    std::filesystem::remove(path);
}

TEST(Logs, MergesByTimeKeepingEachFilesOrder) {
    std::vector<LogLine> lines{{Utc("2026-01-31T12:00:03Z"), 0, "a3"},
                               {Utc("2026-01-31T12:00:01Z"), 1, "b1"},
                               {Utc("2026-01-31T12:00:03Z"), 1, "b3"},
                               {Utc("2026-01-31T12:00:02Z"), 0, "a2"}};
    SortByTime(lines);
    std::vector<std::string> order;
    for (const auto& l : lines) order.push_back(l.text);
    EXPECT_EQ(order, (std::vector<std::string>{"b1", "a2", "a3", "b3"}));
}

TEST(Logs, PrefixesAndColoursOnlyWhenAsked) {
    EXPECT_EQ(FormatLogLine("vaccine/reservation", 22, "hello", 0, false), "vaccine/reservation    | hello\n");
    std::string coloured = FormatLogLine("vaccine/reservation", 0, "hello", 1, true);
    EXPECT_NE(coloured.find("\x1b["), std::string::npos);
    EXPECT_NE(coloured.find("vaccine/reservation"), std::string::npos);
    EXPECT_NE(FormatLogLine("a", 0, "x", 0, true), FormatLogLine("a", 0, "x", 1, true)) << "a colour per process";
}

TEST(Logs, UptimeReadsLikeAClock) {
    EXPECT_EQ(FormatUptime(0), "0s");
    EXPECT_EQ(FormatUptime(45), "45s");
    EXPECT_EQ(FormatUptime(192), "3m12s");
    EXPECT_EQ(FormatUptime(2 * 3600 + 5 * 60 + 9), "2h05m");
    EXPECT_EQ(FormatUptime(3 * 86400 + 4 * 3600), "3d04h");
}

}  // namespace
}  // namespace reservo::cli
