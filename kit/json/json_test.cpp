#include "kit/json/json.hpp"

#include <gtest/gtest.h>

namespace reservo::json {

struct NewLot {
    std::string vaccineType;
    std::string hospital;
    Date availableDate;
    int64_t qty;
    std::optional<bool> urgent;
};
BOOST_DESCRIBE_STRUCT(NewLot, (), (vaccineType, hospital, availableDate, qty, urgent))

namespace {

TEST(JsonTest, ReadsStringsAsNumbersAndBooleansLikeJackson) {
    auto lot =
        Parse<NewLot>(R"({"vaccineType":"Pfizer","hospital":"Seoul","availableDate":"2021-09-01T10:00:00Z","qty":"20",)"
                      R"("urgent":"true","unknown":1})");
    ASSERT_TRUE(lot) << lot.error().message;
    EXPECT_EQ(lot->qty, 20);
    EXPECT_EQ(lot->availableDate.iso, "2021-09-01");
    EXPECT_EQ(lot->urgent, true);
}

TEST(JsonTest, NamesTheFieldThatIsWrong) {
    auto lot = Parse<NewLot>(R"({"vaccineType":"P","hospital":"S","availableDate":"2021-09-01","qty":"many"})");
    ASSERT_FALSE(lot);
    EXPECT_EQ(lot.error().code, Code::kInvalidArgument);
    EXPECT_EQ(lot.error().message, "qty: expected a whole number");

    auto missing = Parse<NewLot>(R"({"vaccineType":"P","availableDate":"2021-09-01","qty":1})");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "hospital: is required");
}

TEST(JsonTest, RejectsMalformedAndNonObjects) {
    EXPECT_FALSE(ParseObject("{\"a\":"));
    EXPECT_FALSE(ParseObject("[1,2]"));
    EXPECT_FALSE(ParseObject(""));
    EXPECT_FALSE(ParseObject(std::string(100, '[') + std::string(100, ']')));
}

TEST(JsonTest, ValidatesCalendarDates) {
    EXPECT_TRUE(NormalizeDate("2024-02-29"));
    EXPECT_FALSE(NormalizeDate("2023-02-29"));
    EXPECT_FALSE(NormalizeDate("2023-13-01"));
    EXPECT_FALSE(NormalizeDate("yesterday"));
    EXPECT_FALSE(NormalizeDate("2023-01-01X"));
}

TEST(JsonTest, NumbersOutOfRangeAreInvalidNotWrapped) {
    EXPECT_FALSE(ToInt(bj::value("99999999999999999999999"), "qty"));
    EXPECT_FALSE(ToInt(bj::value(1.5), "qty"));
    EXPECT_EQ(ToInt(bj::value(3.0), "qty").value(), 3);
}

TEST(JsonTest, WritesDescribedStructs) {
    NewLot lot{"Pfizer", "Seoul", Date{"2021-09-01"}, 3, std::nullopt};
    auto obj = ToObject(lot);
    EXPECT_EQ(obj.at("qty").as_int64(), 3);
    EXPECT_EQ(obj.at("availableDate").as_string(), "2021-09-01");
    EXPECT_TRUE(obj.at("urgent").is_null());
}

}  // namespace
}  // namespace reservo::json
