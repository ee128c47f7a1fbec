// The SMS documents over a real store: stored as JSON with only the key beside them, read back by
// id with the key as `id`, and found by a field of the documents.
#include "systems/course/notification/documents.hpp"

#include "kit/json/json.hpp"
#include "kit/service/use_case_test_support.hpp"
#include "systems/course/notification/domain.hpp"

namespace reservo::course::sms {
namespace {

using service::UseCaseTest;

class SmsDocumentsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(db().Migrate(kSmsSchema));
    }
    SmsDocuments documents_;
};

TEST_F(SmsDocumentsTest, ADocumentIsStoredAndReadBackWithItsKey) {
    SmsHistory sms = Compose(ProfessorApplied{1, 7, 1, "국어", 201, "P01", "000-0000-0001", 40, 15, "TEST", "Applied"});
    sms.eventType = "ProfessorApplied";
    auto id = documents_.Insert(db(), json::ToObject(sms));
    ASSERT_TRUE(id) << id.error().message;
    auto found = documents_.Find(db(), *id);
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((**found)["id"].as_int64(), *id);
    EXPECT_EQ((**found)["professorNo"].as_int64(), 201);
    EXPECT_EQ((**found)["message"].as_string(), sms.message);
    EXPECT_FALSE(documents_.Find(db(), *id + 1).value());

    // Only the key and the document are columns.
    auto columns = db().Query({"sms_columns", "SELECT name FROM pragma_table_info('sms_histories') ORDER BY cid"});
    ASSERT_TRUE(columns);
    ASSERT_EQ(columns->size(), 2u);
    EXPECT_EQ((*columns)[0].Text(0), "id");
    EXPECT_EQ((*columns)[1].Text(0), "doc");
}

}  // namespace
}  // namespace reservo::course::sms
