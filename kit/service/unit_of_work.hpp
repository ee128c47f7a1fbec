// A use case's write: one transaction over the service's store and its outbox, begun without ever
// blocking the event loop, committed when the work succeeds and rolled back when it fails.
//
//   service::UnitOfWork uow(ctx);
//   Result<Reservation> r = co_await uow.Write([&](service::Tx& tx) -> Result<Reservation> {
//       Reservation r = RESERVO_TRY(kReservations.Load(tx.db(), id));
//       RESERVO_TRY(Cancel(r));
//       RESERVO_TRY(kReservations.Update(tx.db(), r));
//       RESERVO_TRY(tx.Publish(ReservationCancelled{...}));   // in the outbox, relayed after commit
//       return r;
//   });
//
// The work runs synchronously inside the transaction. On a local store (SQLite) it cannot suspend,
// so no other request interleaves with it; on a store across the network (PostgreSQL: Suspends())
// the whole transaction runs on a fiber, which waits for the server without holding the event
// loop — other requests run meanwhile, and other writers of the service wait for its turn to end.
// While another process holds the store's write lock, Write waits on a timer — other requests go
// on — until the request's deadline (or `max_wait`), then fails with Unavailable (503, nothing done).
//
// Event policies get a Tx too — the consumer's transaction, with the event as its cause:
//
//   service::On<ReservationCancelled>(uow, [](const ReservationCancelled& e, service::Tx& tx) -> Status {...});
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

#include "kit/core/fiber.hpp"
#include "kit/http/router.hpp"
#include "kit/messaging/typed_event.hpp"
#include "kit/service/service.hpp"
#include "kit/store/database.hpp"

namespace reservo::service {

// The handle a use case writes through: the store, inside the transaction, and the outbox.
// Use cases take a Tx& and stay synchronous; a unit test builds one over a test database.
class Tx final {
  public:
    // Adds an event to the outbox of the open transaction (ServiceContext::Publish).
    using Outbox = std::function<Status(const messaging::CloudEvent&)>;

    Tx(store::Database& db, const Outbox& outbox, std::string_view source, const messaging::CloudEvent* cause = nullptr)
        : db_(db), outbox_(outbox), source_(source), cause_(cause) {}

    store::Database& db() const { return db_; }
    // Published after commit: the event joins this transaction's outbox.
    template <messaging::DeclaredEvent E>
    Status Publish(const E& event) const {
        return outbox_(messaging::Encode(event, std::string(source_)));
    }
    Status Publish(const messaging::CloudEvent& event) const { return outbox_(event); }
    // The event being handled, for a policy (its id, subject, time); nullptr in a request.
    const messaging::CloudEvent* cause() const { return cause_; }

  private:
    store::Database& db_;
    const Outbox& outbox_;
    std::string_view source_;
    const messaging::CloudEvent* cause_;
};

class UnitOfWork final {
  public:
    explicit UnitOfWork(ServiceContext& ctx, std::chrono::milliseconds max_wait = std::chrono::milliseconds(2000))
        : ctx_(ctx),
          max_wait_(max_wait),
          source_(ctx.source()),
          outbox_([&ctx](const messaging::CloudEvent& e) { return ctx.Publish(e); }) {}

    // The store's write lock, waited for on a timer (never by blocking the loop).
    http::Awaitable<Result<store::Transaction>> Begin();

    // Runs `work(Tx&)` — returning a Result<T> or a Status — in one transaction.
    template <class F>
    http::Awaitable<std::invoke_result_t<F&, Tx&>> Write(F work) {
        using R = std::invoke_result_t<F&, Tx&>;
        if (ctx_.db().Suspends()) {
            co_return co_await fiber::Call(ctx_.io(), [&]() -> R { return Within<R>(BeginOnFiber(), work); });
        }
        auto tx = co_await Begin();
        co_return Within<R>(std::move(tx), work);
    }

    ServiceContext& context() const { return ctx_; }
    // A Tx over a transaction the caller holds (a sweeper's, begun with TryBegin).
    Tx Handle(const messaging::CloudEvent* cause = nullptr) const { return Tx(ctx_.db(), outbox_, source_, cause); }

  private:
    // The work in the transaction begun: committed when it succeeds, rolled back when it fails.
    template <class R, class F>
    R Within(Result<store::Transaction> tx, F& work) {
        if (!tx) return R(Fail(tx.error()));
        Tx handle(ctx_.db(), outbox_, source_);
        R result = work(handle);
        if (!result) return result;  // rolled back as `tx` goes
        if (auto committed = tx->Commit(); !committed) return R(Fail(committed.error()));
        return result;
    }

    // Begin, for a store whose calls suspend: on the fiber that runs the transaction.
    Result<store::Transaction> BeginOnFiber();

    ServiceContext& ctx_;
    std::chrono::milliseconds max_wait_;
    std::string source_;
    Tx::Outbox outbox_;
};

// Subscribes a policy to a declared event. Event data that does not decode is refused with
// InvalidArgument, which the consumer parks as a dead letter with that reason.
template <messaging::DeclaredEvent E, class F>
void On(UnitOfWork& uow, F policy) {
    uow.context().On(
        std::string(messaging::TypeOf<E>()),
        [&uow, policy = std::move(policy)](const messaging::CloudEvent& event, store::Database&) -> Status {
            auto decoded = messaging::Decode<E>(event);
            if (!decoded) return Fail(decoded.error());
            Tx tx = uow.Handle(&event);
            return policy(*decoded, tx);
        });
}

}  // namespace reservo::service
