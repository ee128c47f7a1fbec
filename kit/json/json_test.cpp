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

TEST(JsonTest, AcceptsOnlyWellFormedTimesAfterTheDate) {
    for (const char* ok :
         {"2021-01-01", "2021-01-01T10:00", "2021-01-01T10:00:59", "2021-01-01 23:59:59.123456", "2021-01-01T00:00:00Z",
          "2021-01-01T10:00:00+09:00", "2021-01-01T10:00-05:30", "2016-12-31T23:59:60Z"}) {
        auto d = NormalizeDate(ok);
        ASSERT_TRUE(d) << ok;
        EXPECT_EQ(d->substr(0, 4), std::string(ok).substr(0, 4)) << ok;
        EXPECT_EQ(d->size(), 10u) << ok;
    }
    for (const char* bad : {"2021-01-01Tgarbage",
                            "2021-01-01T25:99:99Z",
                            "2021-01-01T24:00",
                            "2021-01-01T10:60",
                            "2021-01-01T10:00:61",
                            "2021-01-01T",
                            "2021-01-01 ",
                            "2021-01-01T1:00",
                            "2021-01-01T10:00:",
                            "2021-01-01T10:00:00.",
                            "2021-01-01T10:00:00ZZ",
                            "2021-01-01T10:00:00+9:00",
                            "2021-01-01T10:00:00+24:00",
                            "2021-01-01T10:00:00+09:60",
                            "2021-01-01T10:00:00+0900",
                            "2021-01-01T10:00Z junk",
                            "2021-01-01T10.5",
                            "+021-01-01",
                            "2021-+1-01",
                            "2021-01- 1"}) {
        auto d = NormalizeDate(bad);
        ASSERT_FALSE(d) << bad;
        EXPECT_EQ(d.error().code, Code::kInvalidArgument);
        EXPECT_EQ(d.error().message, "expected a date YYYY-MM-DD") << bad;
    }
    EXPECT_EQ(NormalizeDate("2021-09-01T10:00:00.5-03:00").value(), "2021-09-01");
}

TEST(JsonTest, CountsCharactersNotBytes) {
    EXPECT_EQ(CharCount(""), 0u);
    EXPECT_EQ(CharCount("Seoul"), 5u);
    EXPECT_EQ(CharCount("\xEC\x84\x9C\xEC\x9A\xB8"), 2u);  // 서울
    EXPECT_EQ(CharCount("\xF0\x9F\x92\x89"), 1u);          // U+1F489 SYRINGE
    std::string hangul;
    for (int i = 0; i < 200; ++i) hangul += "\xEB\xB3\x91";  // 병 × 200 = 600 bytes
    EXPECT_TRUE(ValidateName("hospital", hangul, 200));
    EXPECT_FALSE(ValidateName("hospital", hangul + "\xEB\xB3\x91", 200));
}

TEST(JsonTest, BlankTextIsOnlyWhiteSpace) {
    EXPECT_TRUE(IsBlank(""));
    EXPECT_TRUE(IsBlank("   "));
    EXPECT_TRUE(IsBlank("\t\r\n"));
    EXPECT_TRUE(IsBlank("\xC2\xA0"));                   // NBSP
    EXPECT_TRUE(IsBlank("\xE3\x80\x80 \xE3\x80\x80"));  // IDEOGRAPHIC SPACE
    EXPECT_FALSE(IsBlank(" a "));
    EXPECT_FALSE(IsBlank("\xEC\x84\x9C"));
    EXPECT_FALSE(IsBlank("\xE2\x80\x8B"));  // ZERO WIDTH SPACE is not white space
    auto blank = ValidateName("vaccineType", "\t", 100);
    ASSERT_FALSE(blank);
    EXPECT_EQ(blank.error().message, "vaccineType: must not be blank");
    EXPECT_EQ(ValidateName("vaccineType", "", 100).error().message, "vaccineType: 1 to 100 characters");
    EXPECT_TRUE(ValidateName("vaccineType", " Pfizer ", 100));
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
TEST(JsonTest, NumbersTooLargeForADoubleAreRefused) {
    auto huge = ToDouble(bj::parse("1e999"), "score");
    ASSERT_FALSE(huge);
    EXPECT_NE(huge.error().message.find("score"), std::string::npos);
    EXPECT_TRUE(ToDouble(bj::parse("1e300"), "score"));
}

}  // namespace reservo::json
