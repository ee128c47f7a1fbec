// Vaccine management use cases: RegisterVaccine, TakeDose (synchronous, for reservation) and
// ReleaseDose (policy on ReservationCancelled / ReservationAborted).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kit/messaging/cloud_event.hpp"
#include "kit/store/database.hpp"
#include "systems/vaccine/vaccine-mgmt/domain.hpp"

namespace reservo::vaccine::mgmt {

class VaccineLots final {
  public:
    VaccineLots(store::Database& db, std::function<Status(const messaging::CloudEvent&)> publish, std::string source)
        : db_(db), publish_(std::move(publish)), source_(std::move(source)) {}

    Result<VaccineLot> RegisterVaccine(VaccineLot lot);
    // One dose; a repeat under the same reservation id answers the lot it took from (idempotent),
    // or FailedPrecondition when the request names another lot.
    Result<VaccineLot> TakeDose(const DoseRequest& request);
    // Gives the reservation's dose back once; a release before the take voids the take.
    Status ReleaseDose(store::Database& tx_db, const std::string& reservationId);
    Result<VaccineLot> Update(int64_t id, const std::function<Status(VaccineLot&)>& change);
    // FailedPrecondition while active reservations hold doses of the lot.
    Status Remove(int64_t id);

  private:
    Result<VaccineLot> Load(store::Database& db, int64_t id);
    Result<std::optional<VaccineLot>> FindAvailable(const DoseRequest& request);

    store::Database& db_;
    std::function<Status(const messaging::CloudEvent&)> publish_;
    std::string source_;
};

}  // namespace reservo::vaccine::mgmt
