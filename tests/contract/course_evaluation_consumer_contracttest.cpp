// Consumer side of systems/course/contracts/professor-evaluation-course-management.json: the real
// professor-evaluation service (`reservo serve course/professor-evaluation`) runs against a stub
// course-management that answers from the contract. Each test arms one interaction, makes
// professor-evaluation call it through its public API (PATCH /professorEvaluations/{id}
// {successFlag: true, score}), and checks that the request it sent is one the contract allows and
// that it made of the contract's answer what it should (the evaluation confirmed and
// ProfessorConfirmed published, or the evaluation left as it was and the refusal passed on). A
// change to professor-evaluation's call or to what it reads fails here; a change to
// course-management fails in provider_contracttest.cpp.
//
// How an evaluation gets there: professor-evaluation opens one per ProfessorApplied it consumes.
// The suite appends that event (a CloudEvent encoded from systems/course/events.hpp, as
// professor-applyment publishes it) to the event log the served service reads, <data>/events.db,
// through the messaging EventLog API, and waits until the service has opened the evaluation. No
// producer runs: the event is the consumer's input, and writing it is simpler and more precise
// than driving course-management and professor-applyment to publish it.
//
// The contract's request bodies name the evaluation id literally (evaluationId 1001, 3002, 4001),
// while professor-evaluation sends its own evaluation's id, which its store numbers 1, 2, 3, ...
// (AUTOINCREMENT). So that the real service sends the contract's id from its real evaluation, the
// suite moves the store's id sequence on before each ProfessorApplied (sqlite_sequence of table
// professor_evaluations in <data>/professor-evaluation.db) and checks the evaluation got that id.
// That is the only thing set behind the service's back. (The contract format has no matchers for
// request bodies, only literal values and ${variables} a provider state must bind, so it cannot say
// "any evaluation id, e.g. 1001".)
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "kit/messaging/sqlite_event_log.hpp"
#include "kit/messaging/typed_event.hpp"
#include "kit/store/sqlite.hpp"
#include "systems/course/events.hpp"
#include "tests/contract/consumer_test.hpp"

namespace reservo::contract {
namespace {

using e2e::AsInt;
using e2e::AsString;
using e2e::Reply;

constexpr std::string_view kSets = "sets the course's professor";
constexpr std::string_view kTaken = "refuses with 409 the course's professor confirmed again by another evaluation";
constexpr std::string_view kNoCourse = "answers 404 for a course that does not exist";

// Interactions professor-evaluation relies on but cannot be made to send through its API, and why.
const std::map<std::string_view, std::string_view> kProviderOnly = {
    {"answers a repeat with the same evaluation id with 200 and changes nothing",
     "professor-evaluation repeats a call only when the first outcome is unknown (a transport failure or a "
     "timeout), which a stub answering over a healthy connection does not produce; the guarantee is verified on "
     "the provider side"},
    {"answers 400 for a request it cannot read",
     "professor-evaluation sends the professor of the ProfessorApplied that opened the evaluation, and "
     "professor-applyment publishes none with a non-positive professorNo (it refuses the application with 400), "
     "so it never sends what course-management refuses with 400"},
};

// The evaluation an interaction is exercised with: its id, and the course and professor of the
// ProfessorApplied that opens it, as the interaction's request names them (where the request has
// ${courseId}, any course: the stub binds it from the request).
struct Applied {
    int64_t evaluationId;
    int64_t courseId;
    int64_t professorNo;
    std::string professorNm;
    std::string phoneNumber;
};

const std::map<std::string_view, Applied> kEvaluations = {
    {kSets, {1001, 71, 201, "P01", "000-0000-0001"}},
    {kTaken, {3002, 73, 203, "P03", "000-0000-0003"}},
    {kNoCourse, {4001, 999999, 204, "P04", "000-0000-0004"}},
};
// An evaluation for the verdict that confirms nobody (opened first: id 1).
constexpr int64_t kNotSelectedId = 1;
const Applied kNotSelected{kNotSelectedId, 75, 205, "P05", "000-0000-0005"};

class CourseEvaluationConsumer : public ConsumerContractTest {
  protected:
    static void SetUpTestSuite() {
        StartConsumer({.contract = "systems/course/contracts/professor-evaluation-course-management.json",
                       .consumer = "course/professor-evaluation",
                       .dependency = "course-management"});
        if (::testing::Test::HasFatalFailure()) return;
        // The evaluations the tests give verdicts on, in the order of their ids.
        ASSERT_NO_FATAL_FAILURE(OpenEvaluation(kNotSelected));
        for (auto name : {kSets, kTaken, kNoCourse}) ASSERT_NO_FATAL_FAILURE(OpenEvaluation(kEvaluations.at(name)));
    }

    // Appends the ProfessorApplied professor-applyment would publish for `a` and waits until
    // professor-evaluation opened its evaluation, numbered a.evaluationId.
    static void OpenEvaluation(const Applied& a) {
        const std::string dir = consumer_->data_dir();
        ASSERT_NO_FATAL_FAILURE(SetNextId("professor-evaluation.db", "professor_evaluations", a.evaluationId));
        auto log = messaging::SqliteEventLog::Open(dir + "/events.db", 4);
        ASSERT_TRUE(log) << log.error().message;
        course::ProfessorApplied applied{.applymentId = 500 + a.evaluationId,
                                         .courseId = a.courseId,
                                         .courseNo = a.courseId,
                                         .title = "과목 " + std::to_string(a.courseId),
                                         .professorNo = a.professorNo,
                                         .professorNm = a.professorNm,
                                         .phoneNumber = a.phoneNumber,
                                         .age = 45,
                                         .career = 10,
                                         .professorSpec = "contract test",
                                         .applyStatus = "Applied"};
        messaging::CloudEvent event = messaging::Encode(applied, "/course/professor-applyment");
        Status appended = (*log)->Append("course", std::span<const messaging::CloudEvent>(&event, 1));
        ASSERT_TRUE(appended) << appended.error().message;
        e2e::Http http;
        const std::string target = "/professorEvaluations/" + std::to_string(a.evaluationId);
        Reply r;
        ASSERT_TRUE(e2e::Eventually([&] { return (r = http.Call(consumer_->port(), "GET", target)).status == 200; }))
            << "professor-evaluation opened no evaluation " << a.evaluationId
            << " on ProfessorApplied: " << r.Describe() << "\n"
            << consumer_->LogTail(30);
        bj::object e = r.Json().as_object();
        ASSERT_EQ(AsInt(e["applymentId"]), applied.applymentId) << r.Describe();
        ASSERT_EQ(AsInt(e["professorNo"]), a.professorNo) << r.Describe();
        ASSERT_EQ(AsString(e["evaluationStatus"]), "Evaluating") << r.Describe();
    }

    // Arms the stub with `interaction`, gives its evaluation the verdict {successFlag: true, score},
    // and checks that professor-evaluation called course-management as the contract says.
    // professor-evaluation's answer.
    Reply Exercise(std::string_view interaction, int64_t score) {
        return ConsumerContractTest::Exercise(
            interaction, [&] { return Verdict(kEvaluations.at(interaction).evaluationId, true, score); });
    }

    Reply Verdict(int64_t id, bool success, int64_t score) {
        bj::object body{{"successFlag", success}, {"score", score}};
        return http_.Call(consumer_->port(), "PATCH", "/professorEvaluations/" + std::to_string(id),
                          bj::serialize(body));
    }

    bj::object Evaluation(int64_t id) {
        Reply r = http_.Call(consumer_->port(), "GET", "/professorEvaluations/" + std::to_string(id));
        EXPECT_EQ(r.status, 200) << r.Describe();
        return r.status == 200 ? r.Json().as_object() : bj::object();
    }

    // The ProfessorConfirmed events in the log about a course (its subject).
    static int ConfirmationsOf(int64_t course_id) { return EventsOf("ProfessorConfirmed", course_id); }

    // A refusal by course-management: professor-evaluation answers 409 with `own_detail`, or else
    // course-management's detail, and the evaluation stays as it was, its professor not confirmed.
    void ExpectRefused(std::string_view interaction, std::optional<std::string> own_detail = std::nullopt) {
        const Applied& a = kEvaluations.at(interaction);
        Reply r = Exercise(interaction, 77);
        EXPECT_EQ(r.status, 409) << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
        std::string detail = own_detail ? *own_detail : AsString(StubAnswer(interaction)["detail"]);
        EXPECT_FALSE(detail.empty());
        EXPECT_EQ(AsString(r.Json().as_object()["detail"]), detail) << r.Describe();
        bj::object e = Evaluation(a.evaluationId);
        EXPECT_EQ(AsString(e["evaluationStatus"]), "Evaluating") << "a refused confirmation changes nothing";
        EXPECT_TRUE(e["score"].is_null()) << "nor records the score: " << bj::serialize(e);
        EXPECT_TRUE(e["successFlag"].is_null()) << bj::serialize(e);
        EXPECT_EQ(ConfirmationsOf(a.courseId), 0) << "a refused confirmation publishes no ProfessorConfirmed";
    }
};

TEST_F(CourseEvaluationConsumer, EveryInteractionIsExercisedHereOrExplained) {
    std::set<std::string_view> exercised;
    for (const auto& [name, applied] : kEvaluations) exercised.insert(name);
    ExpectEveryInteractionCovered(exercised, kProviderOnly);
}

TEST_F(CourseEvaluationConsumer, ConfirmsTheProfessorWhenCourseManagementSetsIt) {
    const Applied& a = kEvaluations.at(kSets);
    Reply r = Exercise(kSets, 90);
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(AsInt(stub_->vars()["courseId"]), a.courseId) << "the course of the evaluation's application";
    EXPECT_EQ(AsInt(StubAnswer(kSets)["id"]), a.courseId) << "the stub answers for the course asked for";
    bj::object answered = r.Json().as_object();
    EXPECT_EQ(AsInt(answered["id"]), a.evaluationId);
    EXPECT_EQ(AsString(answered["evaluationStatus"]), "Confirmed") << r.Describe();
    EXPECT_EQ(answered["successFlag"], bj::value(true)) << r.Describe();
    EXPECT_EQ(AsInt(answered["score"]), 90) << r.Describe();
    bj::object stored = Evaluation(a.evaluationId);
    EXPECT_EQ(AsString(stored["evaluationStatus"]), "Confirmed") << "the confirmation is stored";
    EXPECT_TRUE(e2e::Eventually([&] { return ConfirmationsOf(a.courseId) == 1; }))
        << "ProfessorConfirmed is published once for the course";

    // Confirmed already: a second verdict is refused by professor-evaluation itself, without a call.
    stub_->Arm(*contract_->Find(kSets));
    Reply again = Verdict(a.evaluationId, true, 95);
    EXPECT_EQ(again.status, 409) << again.Describe();
    EXPECT_TRUE(stub_->seen().empty()) << "a confirmed evaluation does not call course-management again";
}

TEST_F(CourseEvaluationConsumer, TheProfessorBeingTheCoursesAlreadyIs409WithCourseManagementsDetail) {
    ExpectRefused(kTaken);
}

TEST_F(CourseEvaluationConsumer, ACourseThatIsGoneIs409NamingTheCourse) {
    // course-management's 404 is about the course, not about the evaluation the client PATCHed:
    // professor-evaluation answers 409 in its own words rather than passing the 404 on.
    ExpectRefused(kNoCourse, "course 999999 does not exist any more");
}

TEST_F(CourseEvaluationConsumer, AVerdictThatConfirmsNobodyDoesNotCallCourseManagement) {
    stub_->Arm(*contract_->Find(kSets));
    Reply r = Verdict(kNotSelectedId, false, 40);
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(stub_->seen().empty()) << "successFlag=false is recorded without course-management";
    bj::object e = r.Json().as_object();
    EXPECT_EQ(AsString(e["evaluationStatus"]), "NotSelected") << r.Describe();
    EXPECT_EQ(AsInt(e["score"]), 40) << r.Describe();
}

}  // namespace
}  // namespace reservo::contract
