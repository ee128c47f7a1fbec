#include "systems/course/professor-evaluation/domain.hpp"

namespace reservo::course::eval {
namespace {

std::string Of(const Evaluation& e) { return "evaluation " + std::to_string(e.id); }

}  // namespace

Status ValidateVerdict(const Verdict& v) {
    if (!v.successFlag && !v.score) return Fail(Code::kInvalidArgument, "successFlag or score: required");
    if (v.score && (*v.score < 0 || *v.score > kMaxScore)) {
        return Fail(Code::kInvalidArgument, "score: 0 to " + std::to_string(kMaxScore));
    }
    return Ok();
}

Result<Decision> Decide(const Evaluation& e, const Verdict& v) {
    if (e.evaluationStatus == kCanceled) return Fail(Code::kFailedPrecondition, Of(e) + " was canceled");
    if (e.evaluationStatus == kConfirmed) {
        return Fail(Code::kFailedPrecondition, Of(e) + ": professor " + std::to_string(e.professorNo) +
                                                   " was confirmed for course " + std::to_string(e.courseId) +
                                                   " already");
    }
    return v.successFlag.value_or(false) ? Decision::kConfirm : Decision::kRecord;
}

void Record(Evaluation& e, const Verdict& v) {
    if (v.score) e.score = v.score;
    if (v.successFlag) {
        e.successFlag = v.successFlag;
        e.evaluationStatus = std::string(*v.successFlag ? kEvaluating : kNotSelected);
    }
}

bool Confirm(Evaluation& e, const Verdict& v) {
    if (e.evaluationStatus == kConfirmed) return false;
    if (v.score) e.score = v.score;
    e.successFlag = true;
    e.evaluationStatus = std::string(kConfirmed);
    return true;
}

bool Cancel(Evaluation& e) {
    if (e.evaluationStatus == kCanceled) return false;
    e.evaluationStatus = std::string(kCanceled);
    return true;
}

}  // namespace reservo::course::eval
