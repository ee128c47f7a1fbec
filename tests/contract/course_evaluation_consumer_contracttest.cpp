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
#include "tests/contract/contract.hpp"

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

class CourseEvaluationConsumer : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto loaded =
            LoadContract(e2e::SourceDir() + "/systems/course/contracts/professor-evaluation-course-management.json");
        ASSERT_TRUE(loaded) << loaded.error().message;
        contract_ = std::make_unique<Contract>(std::move(*loaded));
        stub_ = std::make_unique<StubProvider>();
        ASSERT_GT(stub_->port(), 0);
        std::string error;
        // Where professor-evaluation finds course-management: the URL a ConfigMap would set.
        evaluation_ = e2e::ServedService::Start(
            {.target = "course/professor-evaluation",
             .env = {{"RESERVO_SERVICES_PROFESSOR_EVALUATION_DEPENDENCIES_COURSE_MANAGEMENT_URL",
                      "http://127.0.0.1:" + std::to_string(stub_->port())}}},
            &error);
        ASSERT_TRUE(evaluation_) << error;
        // The evaluations the tests give verdicts on, in the order of their ids.
        ASSERT_NO_FATAL_FAILURE(OpenEvaluation(kNotSelected));
        for (auto name : {kSets, kTaken, kNoCourse}) ASSERT_NO_FATAL_FAILURE(OpenEvaluation(kEvaluations.at(name)));
    }

    static void TearDownTestSuite() {
        evaluation_.reset();
        stub_.reset();
        contract_.reset();
    }

    void SetUp() override { ASSERT_TRUE(contract_ && stub_ && evaluation_) << "the suite did not start"; }

    void TearDown() override {
        if (HasFailure() && evaluation_) std::cerr << "---- professor-evaluation's log\n" << evaluation_->LogTail(30);
    }

    // Appends the ProfessorApplied professor-applyment would publish for `a` and waits until
    // professor-evaluation opened its evaluation, numbered a.evaluationId.
    static void OpenEvaluation(const Applied& a) {
        const std::string dir = evaluation_->data_dir();
        {
            auto store = store::SqliteDatabase::Open(dir + "/professor-evaluation.db");
            ASSERT_TRUE(store) << store.error().message;
            static constexpr store::Sql kForget{"forget_sequence",
                                                "DELETE FROM sqlite_sequence WHERE name = 'professor_evaluations'"};
            static constexpr store::Sql kSequence{
                "set_sequence", "INSERT INTO sqlite_sequence (name, seq) VALUES ('professor_evaluations', ?)"};
            ASSERT_TRUE((*store)->Execute(kForget, {}));
            ASSERT_TRUE((*store)->Execute(kSequence, {a.evaluationId - 1}));
        }
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
        ASSERT_TRUE(e2e::Eventually([&] { return (r = http.Call(evaluation_->port(), "GET", target)).status == 200; }))
            << "professor-evaluation opened no evaluation " << a.evaluationId
            << " on ProfessorApplied: " << r.Describe() << "\n"
            << evaluation_->LogTail(30);
        bj::object e = r.Json().as_object();
        ASSERT_EQ(AsInt(e["applymentId"]), applied.applymentId) << r.Describe();
        ASSERT_EQ(AsInt(e["professorNo"]), a.professorNo) << r.Describe();
        ASSERT_EQ(AsString(e["evaluationStatus"]), "Evaluating") << r.Describe();
    }

    // Arms the stub with `interaction`, gives its evaluation the verdict {successFlag: true, score},
    // and checks that professor-evaluation called course-management as the contract says.
    // professor-evaluation's answer.
    Reply Exercise(std::string_view interaction, int64_t score) {
        const Interaction* armed = contract_->Find(interaction);
        EXPECT_TRUE(armed) << contract_->file << " has no interaction \"" << interaction << "\"";
        if (!armed) return {};
        stub_->Arm(*armed);
        Reply reply = Verdict(kEvaluations.at(interaction).evaluationId, true, score);
        auto seen = stub_->seen();
        EXPECT_FALSE(seen.empty()) << contract_->Where(*armed)
                                   << ": professor-evaluation did not call course-management; it answered "
                                   << reply.Describe();
        for (const auto& s : seen) {
            for (const auto& m : s.mismatches) {
                ADD_FAILURE() << contract_->Where(*armed) << ": professor-evaluation sent " << s.request << ": " << m;
            }
        }
        EXPECT_EQ(seen.size(), 1u) << "one call per verdict";
        return reply;
    }

    Reply Verdict(int64_t id, bool success, int64_t score) {
        bj::object body{{"successFlag", success}, {"score", score}};
        return http_.Call(evaluation_->port(), "PATCH", "/professorEvaluations/" + std::to_string(id),
                          bj::serialize(body));
    }

    // The stub's answer to the last call, as professor-evaluation received it.
    bj::object StubAnswer(std::string_view interaction) {
        auto answer = ExampleResponse(contract_->Find(interaction)->response, stub_->vars());
        EXPECT_TRUE(answer) << answer.error().message;
        return answer ? bj::parse(answer->body).as_object() : bj::object();
    }

    bj::object Evaluation(int64_t id) {
        Reply r = http_.Call(evaluation_->port(), "GET", "/professorEvaluations/" + std::to_string(id));
        EXPECT_EQ(r.status, 200) << r.Describe();
        return r.status == 200 ? r.Json().as_object() : bj::object();
    }

    // The ProfessorConfirmed events in the log about a course (its subject).
    static int ConfirmationsOf(int64_t course_id) {
        auto log = store::SqliteDatabase::Open(evaluation_->data_dir() + "/events.db");
        EXPECT_TRUE(log) << log.error().message;
        if (!log) return -1;
        static constexpr store::Sql kCount{"count_confirmed",
                                           "SELECT count(*) FROM events WHERE type = ? AND subject = ?"};
        auto rows = (*log)->Query(kCount, {std::string("ProfessorConfirmed"), std::to_string(course_id)});
        EXPECT_TRUE(rows && rows->size() == 1) << (rows ? "no row" : rows.error().message);
        return rows && rows->size() == 1 ? static_cast<int>(rows->front().Int(0)) : -1;
    }

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

    static std::unique_ptr<Contract> contract_;
    static std::unique_ptr<StubProvider> stub_;
    static std::unique_ptr<e2e::ServedService> evaluation_;
    e2e::Http http_;
};

std::unique_ptr<Contract> CourseEvaluationConsumer::contract_;
std::unique_ptr<StubProvider> CourseEvaluationConsumer::stub_;
std::unique_ptr<e2e::ServedService> CourseEvaluationConsumer::evaluation_;

TEST_F(CourseEvaluationConsumer, EveryInteractionIsExercisedHereOrExplained) {
    for (const auto& i : contract_->interactions) {
        EXPECT_TRUE(kEvaluations.contains(i.description) || kProviderOnly.contains(i.description))
            << contract_->Where(i) << ": not exercised by professor-evaluation's consumer test, nor explained";
    }
    for (auto& [name, applied] : kEvaluations)
        EXPECT_TRUE(contract_->Find(name)) << "the contract lost \"" << name << "\"";
    for (auto& [name, why] : kProviderOnly)
        EXPECT_TRUE(contract_->Find(name)) << "the contract lost \"" << name << "\"";
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
