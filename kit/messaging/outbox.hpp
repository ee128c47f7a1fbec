// Transactional outbox: events are stored in the service's own database in the same
// transaction as the state change that caused them, and a relay appends them to the event log.
//
//   db.Migrate(messaging::Outbox::Migrations());
//   auto tx = db.Begin();
//   ... update the reservation ...
//   messaging::Outbox::Add(db, CloudEvent::New("/vaccine/reservation", "VaccineReserved", id, data));
//   tx->Commit();                              // both or neither
//
//   messaging::OutboxRelay relay(db, log, "reservations");
//   relay.RelayOnce();                         // from a 2–10 ms timer of the event loop
//
// Delivery is at least once: a crash between the append and the delete re-appends the batch,
// and consumers dedupe by event id. Replicas share the service database; each relay pass runs
// inside the database's write transaction, so two relays never append the same rows in turn.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kit/messaging/cloud_event.hpp"
#include "kit/messaging/event_log.hpp"
#include "kit/store/database.hpp"

namespace reservo::messaging {

class Outbox final {
  public:
    Outbox() = delete;

    // The outbox table, as migration 9001 (service migrations use 1..n).
    static std::span<const store::Migration> Migrations();
    // Stores the event; call it inside the transaction that makes the state change.
    static Status Add(store::Database& db, const CloudEvent& event);
};

class OutboxRelay final {
  public:
    OutboxRelay(store::Database& db, EventLog& log, std::string topic);

    // Moves up to `max` of the oldest stored events to the log, in order; returns how many. Never
    // waits for a lock: Unavailable when the service database or the log is busy (nothing moved).
    Result<int> RelayOnce(int max = 256);
    // Events still waiting to be relayed; -1 when the database cannot tell.
    int64_t Backlog();
    // Events relayed by this instance since it was created.
    int64_t relayed() const { return relayed_; }

  private:
    store::Database& db_;
    EventLog& log_;
    std::string topic_;
    int64_t relayed_ = 0;
};

}  // namespace reservo::messaging
