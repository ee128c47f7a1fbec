// Professor application use cases, each inside one transaction (a Tx from the unit of work): the
// policies that open an entry per registered course and close it with its course, the professor's
// commands (apply → ProfessorApplied, cancel → ApplymentCanceled) and the evaluation's confirmation.
#pragma once

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/course/events.hpp"
#include "systems/course/professor-applyment/domain.hpp"

namespace reservo::course::apply {

class Applyments final {
  public:
    explicit Applyments(const store::Table<Applyment>& entries) : entries_(entries) {}

    // CourseRegistered: the course's application entry, once.
    Status OpenEntry(service::Tx& tx, const CourseRegistered& registered) const;
    // CourseChanged: the entry follows the course's number and title.
    Status FollowCourse(service::Tx& tx, const CourseChanged& changed) const;
    // CourseCanceled: the entry closes; an application on it is canceled (→ ApplymentCanceled).
    Status CloseEntry(service::Tx& tx, const CourseCanceled& canceled) const;
    // ProfessorConfirmed: the application is Confirmed.
    Status Confirmed(service::Tx& tx, const ProfessorConfirmed& confirmed) const;

    // PATCH /professorApplyments/{id}: the professor applies (→ ProfessorApplied; a repeat, nothing).
    Result<Applyment> ApplyFor(service::Tx& tx, int64_t id, const Application& application) const;
    // DELETE /professorApplyments/{id}: the application is canceled (→ ApplymentCanceled, once).
    Result<Applyment> Cancel(service::Tx& tx, int64_t id) const;

  private:
    Result<std::optional<Applyment>> OfCourse(service::Tx& tx, int64_t course_id) const;

    const store::Table<Applyment>& entries_;
};

}  // namespace reservo::course::apply
