// Which engine holds a service's data and carries its events, read from the configuration and
// opened — the one place where the same service code is bound to SQLite or PostgreSQL, and to the
// embedded event log or Kafka.
//
//   store.engine: sqlite | postgres            (services.<name>.store.engine overrides it per service)
//   store.postgres.url: postgresql://...       (services.<name>.store.postgres.url likewise)
//   events.engine: embedded | kafka
//   events.kafka.brokers: host:port,...        (+ security-protocol, sasl-*, replication-factor,
//                                               session-timeout-ms)
//
//   auto settings = ReadEngineSettings(cfg, "reservation").value();
//   auto db = OpenStore(settings.store, {"vaccine", "reservation", data_dir}).value();
#pragma once

#include <map>
#include <memory>
#include <string>

#include "kit/core/config.hpp"
#include "kit/core/error.hpp"
#include "kit/messaging/event_log.hpp"
#include "kit/store/database.hpp"

namespace reservo::service {

struct StoreSettings {
    std::string engine = "sqlite";  // sqlite | postgres
    std::string postgres_url;       // empty with postgres: an error (`reservo up` gives a local one)
    bool synchronous_full = false;  // SQLite: sync every commit
};

struct EventLogSettings {
    std::string engine = "embedded";  // embedded | kafka
    int partitions = 4;
    std::string kafka_brokers;
    std::map<std::string, std::string> kafka_client;  // librdkafka settings passed through
    int replication_factor = 0;                       // 0: as many brokers as there are, at most 3
    int session_timeout_ms = 10000;                   // a group member silent this long loses its partitions
};

struct EngineSettings {
    StoreSettings store;
    EventLogSettings events;
};

// Where a service runs: its system, its name and its data directory.
struct ServicePlace {
    std::string system;
    std::string service;
    std::string data_dir;
};

Result<EngineSettings> ReadEngineSettings(const Config& cfg, const std::string& service);
// The event log's part alone (events.engine and its keys), for a process with no store of its own.
Result<EventLogSettings> ReadEventLogSettings(const Config& cfg);

// The engine and PostgreSQL URL one service's store uses: its own keys, else the system's (no
// check). What `reservo up` and the test fixtures ask before they start a local PostgreSQL.
StoreSettings StoreOf(const Config& cfg, const std::string& service);
// On PostgreSQL with no URL given: it needs a server someone starts for it.
inline bool NeedsLocalPostgres(const Config& cfg, const std::string& service) {
    const StoreSettings s = StoreOf(cfg, service);
    return s.engine == "postgres" && s.postgres_url.empty();
}

// The service's own store: <data>/<service>.db, or the schema <system>_<service> on PostgreSQL.
Result<std::unique_ptr<store::Database>> OpenStore(const StoreSettings& settings, const ServicePlace& place);
// The schema a service's PostgreSQL store uses: "vaccine-approval"/"vaccine-mgmt" → vaccine_approval_vaccine_mgmt.
std::string SchemaName(const ServicePlace& place);

// The system's event log: <data>/events.db shared by its processes, or the Kafka cluster.
Result<std::unique_ptr<messaging::EventLog>> OpenEventLog(const EventLogSettings& settings, const ServicePlace& place);

}  // namespace reservo::service
