// Professor evaluation domain: one evaluation per application, opened when a professor applied.
// The evaluator records a verdict {successFlag, score}; successFlag=true confirms the professor,
// which course-management must accept first (the synchronous completeCourse). An evaluation is
// canceled with its application or its course. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::course::eval {

inline constexpr std::string_view kEvaluating = "Evaluating";
inline constexpr std::string_view kConfirmed = "Confirmed";
inline constexpr std::string_view kNotSelected = "NotSelected";  // successFlag=false
inline constexpr std::string_view kCanceled = "Canceled";
inline constexpr int64_t kMaxScore = 100;

// An evaluation (the aggregate): the resource `/professorEvaluations`.
struct Evaluation {
    int64_t id = 0;
    int64_t applymentId = 0;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    std::optional<bool> successFlag;
    std::optional<int64_t> score;
    std::string evaluationStatus;
};
BOOST_DESCRIBE_STRUCT(Evaluation, (),
                      (id, applymentId, courseId, courseNo, title, professorNo, professorNm, phoneNumber, successFlag,
                       score, evaluationStatus))

// The evaluator's PATCH body.
struct Verdict {
    std::optional<bool> successFlag;
    std::optional<int64_t> score;
};

// A score of 0 to 100, and something to record.
Status ValidateVerdict(const Verdict& verdict);

enum class Decision {
    kRecord,   // store the verdict as it is (no professor confirmed)
    kConfirm,  // ask course-management, then confirm
};

// What a verdict does to the evaluation: refused (FailedPrecondition) when it was canceled or its
// professor confirmed already.
Result<Decision> Decide(const Evaluation& evaluation, const Verdict& verdict);

// The verdict recorded without a confirmation (kRecord).
void Record(Evaluation& evaluation, const Verdict& verdict);
// The professor confirmed (course-management agreed): false when it was confirmed already.
bool Confirm(Evaluation& evaluation, const Verdict& verdict);
// Canceled with its application or course: false when it was canceled already.
bool Cancel(Evaluation& evaluation);

}  // namespace reservo::course::eval
