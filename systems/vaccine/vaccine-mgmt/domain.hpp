// Vaccine management domain: dose lots registered by date and hospital, and the doses taken
// from them by reservations. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::vaccine::mgmt {

inline constexpr int64_t kMaxQty = 1'000'000;
inline constexpr std::string_view kRegistered = "registered";

// A lot of doses (the aggregate): the resource `/vaccineMgmts`.
struct VaccineLot {
    int64_t id = 0;
    std::string vaccineType;
    std::string hospital;
    json::Date availableDate;
    int64_t qty = 0;
    std::string vaccineStatus;  // "registered"
};
BOOST_DESCRIBE_STRUCT(VaccineLot, (), (id, vaccineType, hospital, availableDate, qty, vaccineStatus))

// What happened to the dose a reservation asked for.
enum class DoseState { kTaken, kReturned, kVoided };
std::string_view DoseStateName(DoseState s);
std::optional<DoseState> ParseDoseState(std::string_view s);

// The dose a reservation took (or gave back, or voided before taking), keyed by reservation id.
struct DoseTaking {
    std::string reservationId;
    int64_t vaccineId = 0;
    DoseState state = DoseState::kTaken;
};

// Which lot a reservation wants: by id, or the first with doses for a type, hospital and date.
struct DoseRequest {
    std::optional<int64_t> vaccineId;
    std::string hospital;
    std::string availableDate;
    std::string vaccineType;
    std::string reservationId;  // idempotency key; empty for seed-style calls
};

// A lot as registered: the service sets its status.
Status Register(VaccineLot& lot);

// Registering or changing a lot: types and places must be named (not blank; limits in characters),
// quantities within range.
Status ValidateLot(const VaccineLot& lot);

// Taking one dose: refused when none is left.
Result<VaccineLot> TakeOne(VaccineLot lot);

// A reservation asks for its dose again: taken before → same lot (idempotent); returned or voided →
// refused, the reservation was given up.
Status CheckRepeatTake(DoseState previous);
// ... and only for the lot it took from: a request naming another lot (by id, or by hospital, date and
// type) is refused rather than answered with a dose it did not ask for.
Status CheckSameLot(const DoseRequest& request, const VaccineLot& taken_from);

// A lot is deleted only while no active reservation holds one of its doses; the dose takings that
// name it stay as history.
Status CheckRemovable(int64_t lot_id, int64_t doses_taken);

}  // namespace reservo::vaccine::mgmt
