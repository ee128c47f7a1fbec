#include "kit/store/doorbell.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>

namespace reservo::store {
namespace {

bool Readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

class DoorbellTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-doorbell-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "events.db-doorbell").string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
    std::string path_;
};

TEST_F(DoorbellTest, ARingByAnotherOpenerWakesTheWaiterOnce) {
    auto waiter = Doorbell::Open(path_);
    auto writer = Doorbell::Open(path_);  // as another process opens it
    ASSERT_TRUE(waiter) << waiter.error().message;
    ASSERT_TRUE(writer);
    EXPECT_FALSE(Readable(waiter->fd(), 30)) << "nobody rang";
    EXPECT_FALSE(waiter->Take());

    writer->Ring();
    writer->Ring();
    ASSERT_TRUE(Readable(waiter->fd(), 1000));
    EXPECT_TRUE(waiter->Take());
    EXPECT_FALSE(Readable(waiter->fd(), 0)) << "both rings taken at once";
    EXPECT_FALSE(waiter->Take());
    EXPECT_EQ(std::filesystem::file_size(path_), 1u) << "rings do not grow the file";

    waiter->Ring();  // its own ring wakes it too (a consumer in the appending process)
    ASSERT_TRUE(Readable(waiter->fd(), 1000));
    EXPECT_TRUE(waiter->Take());
}

TEST_F(DoorbellTest, AFileRemovedUnderItIsMadeAgainAndWatched) {
    auto waiter = Doorbell::Open(path_);
    ASSERT_TRUE(waiter);
    std::filesystem::remove(path_);
    ASSERT_TRUE(Readable(waiter->fd(), 1000));
    EXPECT_TRUE(waiter->Take()) << "a ring may have been missed: say so";
    ASSERT_TRUE(std::filesystem::exists(path_));

    auto writer = Doorbell::Open(path_);  // a process started afterwards rings the new file
    ASSERT_TRUE(writer);
    writer->Ring();
    ASSERT_TRUE(Readable(waiter->fd(), 1000));
    EXPECT_TRUE(waiter->Take());
}

TEST_F(DoorbellTest, AMissingDirectoryIsAClearError) {
    auto bell = Doorbell::Open((dir_ / "nowhere" / "events.db-doorbell").string());
    ASSERT_FALSE(bell);
    EXPECT_NE(bell.error().message.find("nowhere"), std::string::npos) << bell.error().message;
}

}  // namespace
}  // namespace reservo::store
