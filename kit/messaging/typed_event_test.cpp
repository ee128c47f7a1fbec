// Declared events: the CloudEvents type and subject come from the declaration, the data from the
// members; data that does not decode is refused with the reason, and a consumer parks it.
#include "kit/messaging/typed_event.hpp"

#include <gtest/gtest.h>

#include "kit/messaging/consumer.hpp"
#include "kit/messaging/sqlite_event_log.hpp"
#include "kit/messaging/test_support.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::messaging {
namespace {

struct DoseTaken {
    int64_t reservationId = 0;
    std::string hospital;
    std::optional<int64_t> lot;
};
RESERVO_EVENT(DoseTaken, reservationId, (reservationId, hospital, lot))

TEST(TypedEventTest, TypeSubjectAndDataComeFromTheDeclaration) {
    static_assert(TypeOf<DoseTaken>() == "DoseTaken");
    CloudEvent e = Encode(DoseTaken{.reservationId = 42, .hospital = "Seoul"}, "/vaccine/vaccine-mgmt");
    EXPECT_EQ(e.type, "DoseTaken");
    EXPECT_EQ(e.subject, "42");
    EXPECT_EQ(e.source, "/vaccine/vaccine-mgmt");
    EXPECT_EQ(e.data.at("hospital").as_string(), "Seoul");
    EXPECT_TRUE(e.data.at("lot").is_null());

    auto back = Decode<DoseTaken>(CloudEvent::FromJson(e.ToJson()).value());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->reservationId, 42);
    EXPECT_EQ(back->hospital, "Seoul");
    EXPECT_FALSE(back->lot);
}

TEST(TypedEventTest, DataThatDoesNotDecodeIsRefusedWithTheReason) {
    CloudEvent e = CloudEvent::New("/x/y", "DoseTaken", "7", {{"reservationId", "seven"}, {"hospital", "Seoul"}});
    auto decoded = Decode<DoseTaken>(e);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, Code::kInvalidArgument);
    EXPECT_NE(decoded.error().message.find("reservationId"), std::string::npos) << decoded.error().message;

    CloudEvent other = CloudEvent::New("/x/y", "SomethingElse", "7", {{"reservationId", 7}, {"hospital", "Seoul"}});
    EXPECT_EQ(Decode<DoseTaken>(other).error().code, Code::kInvalidArgument);
}

TEST(TypedEventTest, AConsumerParksAnUndecodableEventAndGoesOn) {
    testing::TempDir dir;
    auto db = store::SqliteDatabase::Open(dir.File("svc.db")).value();
    ASSERT_TRUE(db->Migrate(Consumer::Migrations()));
    auto log = SqliteEventLog::Open(dir.File("events.db"), 2).value();
    std::vector<CloudEvent> events = {
        CloudEvent::New("/x/y", "DoseTaken", "7", {{"hospital", "Seoul"}}),  // no reservationId
        Encode(DoseTaken{.reservationId = 7, .hospital = "Busan"}, "/x/y"),
    };
    ASSERT_TRUE(log->Append("t", events));
    Consumer consumer(*db, *log, {.group = "g", .topic = "t", .member_id = "m"});
    std::vector<std::string> applied;
    consumer.On("DoseTaken", [&](const CloudEvent& ce, store::Database&) -> Status {
        auto e = Decode<DoseTaken>(ce);
        if (!e) return Fail(e.error());
        applied.push_back(e->hospital);
        return Ok();
    });
    for (int i = 0; i < 10 && consumer.PollOnce().value() > 0;) ++i;
    EXPECT_EQ(applied, std::vector<std::string>{"Busan"});
    auto letters = consumer.DeadLetters().value();
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(letters[0].event_id, events[0].id);
    EXPECT_NE(letters[0].error.find("reservationId: is required"), std::string::npos) << letters[0].error;
}

}  // namespace
}  // namespace reservo::messaging
