#include "kit/service/spawn.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace reservo::service {
namespace {

namespace asio = boost::asio;

// Sends what the kit logs to a string for the test's lifetime.
class CapturedLog final {
  public:
    CapturedLog() : previous_(spdlog::default_logger()) {
        auto logger =
            std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
        spdlog::set_default_logger(logger);
    }
    ~CapturedLog() { spdlog::set_default_logger(previous_); }
    std::string text() const { return out_.str(); }

  private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::logger> previous_;
};

TEST(LogFailure, AnEscapedExceptionIsLoggedWithWhatWasRunningAndReported) {
    CapturedLog log;
    std::optional<std::string> reported;
    asio::io_context io;
    asio::co_spawn(
        io, []() -> asio::awaitable<void> { throw std::runtime_error("disk on fire"); },
        LogFailure("event pump", [&](const std::string& why) { reported = why; }));
    io.run();
    ASSERT_TRUE(reported.has_value());
    EXPECT_EQ(*reported, "disk on fire");
    const std::string text = log.text();
    EXPECT_NE(text.find("background task failed"), std::string::npos) << text;
    EXPECT_NE(text.find("event pump"), std::string::npos) << text;
    EXPECT_NE(text.find("disk on fire"), std::string::npos) << text;
}

TEST(LogFailure, ANormalEndIsNotAFailure) {
    CapturedLog log;
    bool reported = false;
    asio::io_context io;
    asio::co_spawn(
        io, []() -> asio::awaitable<void> { co_return; },
        LogFailure("drain deadline", [&](const std::string&) { reported = true; }));
    io.run();
    EXPECT_FALSE(reported);
    EXPECT_EQ(log.text(), "");
}

TEST(LogFailure, AnythingThrownIsDescribed) {
    CapturedLog log;
    std::string why;
    LogFailure("retention", [&](const std::string& w) { why = w; })(std::make_exception_ptr(42));
    EXPECT_EQ(why, "an exception that is not a std::exception");
    EXPECT_NE(log.text().find("retention"), std::string::npos);
    LogFailure("without a listener")(std::make_exception_ptr(std::logic_error("bug")));
    EXPECT_NE(log.text().find("bug"), std::string::npos);
    EXPECT_EQ(DescribeException(nullptr), "no exception");
}

}  // namespace
}  // namespace reservo::service
