#include "systems/course/professor-applyment/application.hpp"

#include "kit/core/try.hpp"

namespace reservo::course::apply {
namespace {

ApplymentCanceled Canceled(const Applyment& e) {
    return ApplymentCanceled{e.id,          e.courseId,    e.courseNo,   e.title, e.professorNo.value_or(0),
                             e.professorNm, e.phoneNumber, e.applyStatus};
}

}  // namespace

Result<std::optional<Applyment>> Applyments::OfCourse(service::Tx& tx, int64_t course_id) const {
    return entries_.FindBy(tx.db(), "courseId", course_id);
}

Status Applyments::OpenEntry(service::Tx& tx, const CourseRegistered& e) const {
    if (RESERVO_TRY(OfCourse(tx, e.courseId))) return Ok();
    RESERVO_TRY(entries_.Insert(tx.db(), Opened(e.courseId, e.courseNo, e.title)));
    return Ok();
}

Status Applyments::FollowCourse(service::Tx& tx, const CourseChanged& e) const {
    auto entry = RESERVO_TRY(OfCourse(tx, e.courseId));
    if (!entry) return Ok();
    entry->courseNo = e.courseNo;
    entry->title = e.title;
    return entries_.Update(tx.db(), *entry);
}

Status Applyments::CloseEntry(service::Tx& tx, const CourseCanceled& e) const {
    auto entry = RESERVO_TRY(OfCourse(tx, e.courseId));
    if (!entry) {
        // Never opened here (its registration left the log before this consumer read it): recorded
        // closed, so a late registration opens nothing.
        Applyment closed = Opened(e.courseId, e.courseNo, e.title);
        closed.applyStatus = std::string(kCourseCanceled);
        RESERVO_TRY(entries_.Insert(tx.db(), std::move(closed)));
        return Ok();
    }
    if (entry->applyStatus == kCourseCanceled) return Ok();
    bool announce = CloseForCourse(*entry);
    RESERVO_TRY(entries_.Update(tx.db(), *entry));
    if (announce) RESERVO_TRY(tx.Publish(Canceled(*entry)));
    return Ok();
}

Status Applyments::Confirmed(service::Tx& tx, const ProfessorConfirmed& e) const {
    auto entry = RESERVO_TRY(entries_.Find(tx.db(), e.applymentId));
    if (!entry || !Confirm(*entry, e.professorNo)) return Ok();
    return entries_.Update(tx.db(), *entry);
}

Result<Applyment> Applyments::ApplyFor(service::Tx& tx, int64_t id, const Application& application) const {
    Applyment entry = RESERVO_TRY(entries_.Load(tx.db(), id));
    RESERVO_TRY(ValidateApplication(application));
    if (!RESERVO_TRY(Apply(entry, application))) return entry;
    RESERVO_TRY(entries_.Update(tx.db(), entry));
    RESERVO_TRY(tx.Publish(ProfessorApplied{entry.id, entry.courseId, entry.courseNo, entry.title, *entry.professorNo,
                                            entry.professorNm, entry.phoneNumber, entry.age.value_or(0),
                                            entry.career.value_or(0), entry.professorSpec, entry.applyStatus}));
    return entry;
}

Result<Applyment> Applyments::Cancel(service::Tx& tx, int64_t id) const {
    Applyment entry = RESERVO_TRY(entries_.Load(tx.db(), id));
    if (!RESERVO_TRY(CancelApplication(entry))) return entry;
    RESERVO_TRY(entries_.Update(tx.db(), entry));
    RESERVO_TRY(tx.Publish(Canceled(entry)));
    return entry;
}

}  // namespace reservo::course::apply
