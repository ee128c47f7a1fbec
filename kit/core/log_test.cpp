#include "kit/core/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "kit/core/trace.hpp"

namespace reservo::log {
namespace {

namespace bj = boost::json;

// Log lines written into a string for one test, read back line by line.
class LogLines : public ::testing::Test {
  protected:
    void SetUp() override {
        trace::SetCurrent("");
        Init("test/unit", "info", &out_);
    }
    void TearDown() override {
        trace::SetCurrent("");
        Init("test/unit");  // stderr again: out_ goes with the test
    }

    std::vector<std::string> Lines() const {
        std::vector<std::string> lines;
        std::istringstream in(out_.str());
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }
    // The only line written, parsed; fails the test when there is not exactly one or it is not an object.
    bj::object Only() const {
        auto lines = Lines();
        EXPECT_EQ(lines.size(), 1u) << out_.str();
        if (lines.size() != 1) return {};
        boost::system::error_code ec;
        bj::value v = bj::parse(lines.front(), ec);
        EXPECT_FALSE(ec) << ec.message() << ": " << lines.front();
        EXPECT_TRUE(v.is_object()) << lines.front();
        return v.is_object() ? v.as_object() : bj::object{};
    }

    std::ostringstream out_;
};

TEST_F(LogLines, FieldsKeepTheirType) {
    const std::string group = "mypage";
    const std::vector<int> partitions = {0, 2, 5};
    Info("typed", {{"status", 201},
                   {"negative", -7},
                   {"big", std::numeric_limits<uint64_t>::max()},
                   {"size", std::string("abc").size()},
                   {"durationMs", 1.7},
                   {"whole", 3.0},
                   {"ok", true},
                   {"replayed", false},
                   {"group", group},
                   {"literal", "text"},
                   {"view", std::string_view("view")},
                   {"partitions", partitions},
                   {"none", std::vector<int>{}},
                   {"nan", std::nan("")},
                   {"inf", std::numeric_limits<double>::infinity()}});
    bj::object line = Only();
    EXPECT_TRUE(line.at("status").is_int64());
    EXPECT_EQ(line.at("status").as_int64(), 201);
    EXPECT_EQ(line.at("negative").as_int64(), -7);
    EXPECT_EQ(line.at("big").as_uint64(), std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(line.at("size").to_number<int64_t>(), 3);
    EXPECT_TRUE(line.at("durationMs").is_double());
    EXPECT_DOUBLE_EQ(line.at("durationMs").as_double(), 1.7);
    EXPECT_EQ(line.at("whole").to_number<double>(), 3.0);
    EXPECT_EQ(line.at("ok"), true);
    EXPECT_EQ(line.at("replayed"), false);
    EXPECT_EQ(line.at("group"), "mypage");
    EXPECT_EQ(line.at("literal"), "text");
    EXPECT_EQ(line.at("view"), "view");
    EXPECT_EQ(line.at("partitions"), (bj::array{0, 2, 5}));
    EXPECT_EQ(line.at("none"), bj::array{});
    EXPECT_TRUE(line.at("nan").is_null());
    EXPECT_TRUE(line.at("inf").is_null());
    // The raw text, as a collector's parser sees it: numbers are not quoted.
    EXPECT_NE(Lines().front().find(R"("status":201,)"), std::string::npos) << Lines().front();
    EXPECT_NE(Lines().front().find(R"("durationMs":1.7,)"), std::string::npos) << Lines().front();
}

TEST_F(LogLines, EachLineIsOneObjectWithTimeLevelPidServiceAndMessageFirst) {
    Info("first");
    Warn("second", {{"n", 2}});
    Error("third");
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 3u) << out_.str();
    for (const auto& text : lines) {
        bj::object line = bj::parse(text).as_object();
        auto it = line.begin();
        ASSERT_GE(line.size(), 5u);
        EXPECT_EQ((it++)->key(), "ts");
        EXPECT_EQ((it++)->key(), "level");
        EXPECT_EQ((it++)->key(), "pid");
        EXPECT_EQ((it++)->key(), "service");
        EXPECT_EQ((it++)->key(), "msg");
        EXPECT_TRUE(line.at("pid").is_int64());
        EXPECT_EQ(line.at("service"), "test/unit");
        EXPECT_EQ(line.at("ts").as_string().size(), 24u) << text;  // 2026-01-31T12:00:00.123Z
    }
    EXPECT_EQ(bj::parse(lines[0]).at("level"), "info");
    EXPECT_EQ(bj::parse(lines[1]).at("level"), "warning");
    EXPECT_EQ(bj::parse(lines[1]).at("n"), 2);
    EXPECT_EQ(bj::parse(lines[2]).at("level"), "error");
}

TEST_F(LogLines, BelowTheLevelNothingIsWritten) {
    Debug("hidden", {{"n", 1}});
    EXPECT_TRUE(Lines().empty()) << out_.str();
    Init("test/unit", "debug", &out_);
    Debug("shown");
    EXPECT_EQ(Only().at("msg"), "shown");
}

TEST_F(LogLines, WriteTakesItsLevelAtRunTimeAndFieldsGatheredFirst) {
    std::vector<Field> fields = {{"a", 1}};
    fields.emplace_back("b", "two");
    Write(Level::kWarn, "gathered", fields);
    Write(Level::kDebug, "hidden", fields);
    bj::object line = Only();
    EXPECT_EQ(line.at("level"), "warning");
    EXPECT_EQ(line.at("a"), 1);
    EXPECT_EQ(line.at("b"), "two");
}

TEST_F(LogLines, TextIsEscapedAndAlwaysValidJsonAndUtf8) {
    const std::string nasty = std::string("quote\" backslash\\ newline\n tab\t cr\r bell\x07 nul") + '\0' + " end";
    const std::string korean = "예약 변경 되었습니다";
    // A lone continuation byte, a cut sequence, an overlong '/', a surrogate, beyond U+10FFFF, 0xff.
    const std::string broken = std::string(
        "a\x80"
        "b\xe4\xbd"
        "c\xc0\xaf"
        "d\xed\xa0\x80"
        "e\xf4\x90\x80\x80"
        "f\xff");
    Info("msg \"quoted\"", {{"nasty", nasty}, {"korean", korean}, {"broken", broken}, {"key \"x\"", 1}});
    const std::string raw = Lines().empty() ? "" : Lines().front();
    bj::object line = Only();
    EXPECT_EQ(line.at("msg"), "msg \"quoted\"");
    EXPECT_EQ(line.at("nasty").as_string(), nasty);
    EXPECT_EQ(line.at("korean").as_string(), korean);
    // Each byte that starts no well-formed sequence becomes one U+FFFD (what a strict parser would reject).
    const std::string r = "\xef\xbf\xbd";
    EXPECT_EQ(line.at("broken").as_string(),
              "a" + r + "b" + r + r + "c" + r + r + "d" + r + r + r + "e" + r + r + r + r + "f" + r)
        << raw;
    EXPECT_EQ(line.at("key \"x\""), 1);
    EXPECT_NE(raw.find("\\u0007"), std::string::npos) << raw;
    EXPECT_NE(raw.find("\\u0000"), std::string::npos) << raw;
    EXPECT_EQ(raw.find('\n'), std::string::npos) << "one line: " << raw;
}

TEST_F(LogLines, TheCurrentTraceIsOnEveryLineWhileOneIsSet) {
    Info("start-up");
    {
        trace::Scope scope(std::string_view("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        Info("in a request", {{"status", 201}});
        Warn("still in it");
    }
    Info("after it");
    trace::SetCurrent("not a traceparent");
    Info("with a broken one");
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 5u) << out_.str();
    for (size_t i : {1u, 2u}) {
        bj::object line = bj::parse(lines[i]).as_object();
        EXPECT_EQ(line.at("trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736") << lines[i];
        EXPECT_EQ(line.at("span_id"), "00f067aa0ba902b7") << lines[i];
    }
    EXPECT_TRUE(lines[1].ends_with(R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"})"))
        << lines[1];
    for (size_t i : {0u, 3u, 4u}) {
        bj::object line = bj::parse(lines[i]).as_object();
        EXPECT_FALSE(line.contains("trace_id")) << lines[i];
        EXPECT_FALSE(line.contains("span_id")) << lines[i];
    }
}

TEST_F(LogLines, WithAFlusherLinesWaitForFlushAndWarningsDoNot) {
    int scheduled = 0;
    SetFlusher([&] { ++scheduled; });
    Info("first");
    Info("second");
    EXPECT_TRUE(Lines().empty()) << "held until the loop's turn ends";
    EXPECT_EQ(scheduled, 1) << "one flush asked for per batch, not per line";
    Flush();
    EXPECT_EQ(Lines().size(), 2u);

    Info("third");
    EXPECT_EQ(scheduled, 2);
    Warn("trouble");  // written at once, after what was held, in order
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 4u) << out_.str();
    EXPECT_NE(lines[2].find("\"third\""), std::string::npos);
    EXPECT_NE(lines[3].find("\"trouble\""), std::string::npos);

    Info("fourth");
    SetFlusher({});  // taking the flusher away writes what is held
    EXPECT_EQ(Lines().size(), 5u);
    Info("fifth");  // and every line goes out as it comes again
    EXPECT_EQ(Lines().size(), 6u);
    EXPECT_EQ(scheduled, 3);
}

TEST(LogDurationMs, MillisecondsWithMicrosecondPrecision) {
    EXPECT_DOUBLE_EQ(DurationMs(std::chrono::microseconds(1700)), 1.7);
    EXPECT_DOUBLE_EQ(DurationMs(std::chrono::nanoseconds(2'345'999)), 2.345);
    EXPECT_DOUBLE_EQ(DurationMs(std::chrono::seconds(2)), 2000.0);
}

}  // namespace
}  // namespace reservo::log
