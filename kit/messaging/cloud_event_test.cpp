#include "kit/messaging/cloud_event.hpp"

#include <gtest/gtest.h>

namespace reservo::messaging {
namespace {

TEST(CloudEventTest, NewFillsIdAndTime) {
    auto a = CloudEvent::New("/vaccine/reservation", "VaccineReserved", "r-1", {{"qty", 1}});
    auto b = CloudEvent::New("/vaccine/reservation", "VaccineReserved", "r-1", {{"qty", 1}});
    EXPECT_EQ(a.id.size(), 32u);
    EXPECT_NE(a.id, b.id);
    ASSERT_GE(a.time.size(), 20u);
    EXPECT_EQ(a.time[4], '-');
    EXPECT_EQ(a.time[10], 'T');
    EXPECT_EQ(a.time.back(), 'Z');
    EXPECT_EQ(a.source, "/vaccine/reservation");
    EXPECT_EQ(a.subject, "r-1");
}

TEST(CloudEventTest, StructuredJsonRoundTrips) {
    auto event = CloudEvent::New("/vaccine/reservation", "VaccineReserved", "r-7",
                                 {{"reservationId", "r-7"}, {"qty", 2}, {"nested", {{"ok", true}}}},
                                 "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    auto object = json::ParseObject(event.ToJson()).value();
    EXPECT_EQ(object.at("specversion"), "1.0");
    EXPECT_EQ(object.at("datacontenttype"), "application/json");
    EXPECT_EQ(object.at("id"), event.id.c_str());
    EXPECT_EQ(object.at("type"), "VaccineReserved");
    EXPECT_EQ(object.at("subject"), "r-7");
    EXPECT_EQ(object.at("traceparent"), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    EXPECT_EQ(object.at("data").at("qty"), 2);

    auto back = CloudEvent::FromJson(event.ToJson());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, event);
}

TEST(CloudEventTest, EmptyTraceparentIsLeftOut) {
    auto event = CloudEvent::New("/s/t", "Happened", "x", {});
    auto object = json::ParseObject(event.ToJson()).value();
    EXPECT_FALSE(object.contains("traceparent"));
    EXPECT_TRUE(object.at("data").is_object());
}

TEST(CloudEventTest, MalformedOrIncompleteIsInvalidArgument) {
    const char* bad[] = {
        "not json",
        "[1,2]",
        R"({"id":"1","source":"/s","type":"T"})",                                 // no specversion
        R"({"specversion":"0.3","id":"1","source":"/s","type":"T"})",             // other version
        R"({"specversion":"1.0","source":"/s","type":"T"})",                      // no id
        R"({"specversion":"1.0","id":"","source":"/s","type":"T"})",              // empty id
        R"({"specversion":"1.0","id":"1","type":"T"})",                           // no source
        R"({"specversion":"1.0","id":"1","source":"/s"})",                        // no type
        R"({"specversion":"1.0","id":1,"source":"/s","type":"T"})",               // id not a string
        R"({"specversion":"1.0","id":"1","source":"/s","type":"T","data":[1]})",  // data not an object
        R"({"specversion":"1.0","id":"1","source":"/s","type":"T","datacontenttype":"text/xml"})",
    };
    for (const char* text : bad) {
        auto r = CloudEvent::FromJson(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().code, Code::kInvalidArgument) << text;
    }
}

TEST(CloudEventTest, OptionalAttributesMayBeAbsent) {
    auto r = CloudEvent::FromJson(R"({"specversion":"1.0","id":"e1","source":"/s","type":"T","extra":1})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->id, "e1");
    EXPECT_TRUE(r->subject.empty());
    EXPECT_TRUE(r->data.empty());
}

}  // namespace
}  // namespace reservo::messaging
