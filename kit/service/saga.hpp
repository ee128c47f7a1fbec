// Sagas: a step that spans a synchronous call to another service, with its compensation, and a
// timeline of every step under the saga's correlation key.
//
// The reservation pattern — a pending step, a call keyed by it, then commit or compensate:
//
//   service::Saga reserve(ctx, uow, {.name = "reserve-vaccine", .abandon_after = 30s,
//       .compensate = [](const service::SagaStep& s, service::Tx& tx) {
//           return tx.Publish(ReservationAborted{.reservationId = s.id});   // the other side undoes
//       }});
//   int64_t id = RESERVO_CO_TRY(co_await reserve.Begin({{"vaccineId", 3}}));  // id = correlation key
//   auto answer = co_await dependency.Call(...keyed by id...);   // idempotent on the other side
//   outcome unknown → co_await reserve.Abort(id, "vaccine-mgmt timed out");   // compensates
//   refused         → co_await reserve.Drop(id, "no dose left");              // nothing to undo
//   done            → co_await uow.Write([&](Tx& tx) -> Result<R> {
//                         RESERVO_TRY(reserve.Complete(tx, id));   // Unavailable if aborted meanwhile
//                         ... store the aggregate, publish ...
//                     });
//
// A pending step older than `abandon_after` (its process died mid-call) is aborted by a sweeper
// with the same compensation. Choreographed sagas (a chain of events, like a cancellation that
// goes through payment and back) record their steps with Record. Either way
// `GET /actuator/sagas/{key}` shows the saga's timeline: the steps this service recorded under that
// key, and every event any service of the system published with that key as its subject.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "kit/service/unit_of_work.hpp"

namespace reservo::service {

// A pending step: its id (the correlation key) and the data Begin was given.
struct SagaStep {
    int64_t id = 0;
    std::string saga;
    boost::json::object data;
};

// One recorded step of a saga's timeline.
struct SagaEvent {
    std::string saga;
    std::string key;
    std::string step;
    std::string detail;
    std::string at;  // ISO-8601
};

struct SagaOptions {
    std::string name;  // "reserve-vaccine"
    std::chrono::milliseconds abandon_after{30'000};
    std::function<Status(const SagaStep&, Tx&)> compensate;  // empty: aborting only forgets the step
};

class Saga final {
  public:
    Saga(ServiceContext& ctx, UnitOfWork& uow, SagaOptions options);

    // Opens a pending step; its id comes from one sequence per service and is never reused.
    http::Awaitable<Result<int64_t>> Begin(boost::json::object data = {});
    // The same inside the caller's transaction, with what must hold while the call is made (a
    // room's dates held, say): both commit together before the call.
    Result<int64_t> Open(Tx& tx, const boost::json::object& data = {}) const;
    // Closes the pending step inside the caller's transaction; Unavailable when it was aborted meanwhile.
    Status Complete(Tx& tx, int64_t id, std::string detail = "completed") const;
    // Closes it and compensates (the outcome of the call is unknown, or it cannot be kept).
    http::Awaitable<Status> Abort(int64_t id, std::string why);
    // Closes it with nothing to undo (the call was refused).
    http::Awaitable<Status> Drop(int64_t id, std::string why);
    // The same two inside the caller's transaction (with what was held for the step released there).
    Status Abort(Tx& tx, int64_t id, const std::string& why) const { return Close(tx, id, true, "aborted", why); }
    Status Drop(Tx& tx, int64_t id, const std::string& why) const { return Close(tx, id, false, "refused", why); }
    // Aborts the steps left pending longer than abandon_after; how many. Never waits for a lock.
    Result<int> SweepAbandoned();

    // A step of a choreographed saga, recorded in the caller's transaction.
    Status Record(Tx& tx, const std::string& key, std::string step, std::string detail = "") const;

    // This service's recorded steps under `key`, oldest first.
    static Result<std::vector<SagaEvent>> Timeline(store::Database& db, const std::string& key);
    // The saga tables (migrations 9041..), created by the first Saga of a service.
    static Status EnsureSchema(store::Database& db);

    const std::string& name() const { return options_.name; }

  private:
    Status Close(Tx& tx, int64_t id, bool compensate, const std::string& step, const std::string& why) const;

    ServiceContext& ctx_;
    UnitOfWork& uow_;
    SagaOptions options_;
    Status schema_;
};

}  // namespace reservo::service
