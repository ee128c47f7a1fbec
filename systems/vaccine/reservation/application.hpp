// Reservation use cases. ReserveVaccine is a small saga:
//   1. allocate the reservation id (a pending row, invisible to readers);
//   2. take a dose from vaccine-mgmt synchronously, keyed by that id (idempotent there);
//   3. taken → store the reservation and publish VaccineReserved in one transaction — unless the
//      request's deadline passed meanwhile (its client was told the outcome is unknown): abort;
//      refused → drop the pending row; outcome unknown (timeout, 5xx) → drop it and publish
//      ReservationAborted, which makes vaccine-mgmt give back (or void) that id's dose.
// A pending row left by a crash is aborted the same way by SweepAbandoned.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "kit/http/router.hpp"
#include "kit/messaging/cloud_event.hpp"
#include "kit/service/dependency.hpp"
#include "kit/store/database.hpp"
#include "systems/vaccine/reservation/domain.hpp"

namespace reservo::vaccine::booking {

struct ReserveCommand {
    int64_t userId = 0;
    std::optional<int64_t> vaccineId;
    std::string hospital;
    std::string reservedDate;
    std::string vaccineType;
};

class Reservations final {
  public:
    using Publish = std::function<Status(const messaging::CloudEvent&)>;
    Reservations(store::Database& db, service::Dependency& vaccine_mgmt, Publish publish, std::string source)
        : db_(db), vaccine_mgmt_(vaccine_mgmt), publish_(std::move(publish)), source_(std::move(source)) {}

    http::Awaitable<Result<Reservation>> ReserveVaccine(ReserveCommand command);
    Result<Reservation> CancelReservation(int64_t id);
    Result<Reservation> Load(int64_t id);
    // Aborts pending reservations older than `age_ms` (left by a crash mid-call).
    Result<int> SweepAbandoned(int64_t age_ms);

  private:
    Status AbortPending(int64_t id, std::optional<int64_t> vaccineId, bool publish);
    messaging::CloudEvent Event(std::string type, const Reservation& r) const;

    store::Database& db_;
    service::Dependency& vaccine_mgmt_;
    Publish publish_;
    std::string source_;
};

}  // namespace reservo::vaccine::booking
