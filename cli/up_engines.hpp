// `reservo up --engines kafka,postgres`: the distributed engines for a local try.
//
// The flag sets events.engine / store.engine for every process (through the environment they
// inherit), as RESERVO_EVENTS_ENGINE and RESERVO_STORE_ENGINE would. A service on PostgreSQL
// with no store.postgres.url gets a server of its own machine: Debian's PostgreSQL, started in
// DATA/postgres (kit/store/local_postgres.hpp) and stopped when `up` ends. Kafka is never
// started here: a service on Kafka needs events.kafka.brokers — a real cluster, or the mock one
// `reservo kafka-dev` runs.
//
//   RESERVO_TRY(ApplyEnginesFlag("kafka,postgres"));        // before the systems are loaded
//   auto local = StartLocalEngines(systems, data_dir);      // after: a PostgreSQL if one is needed
//   ... supervise ...
//   if (*local) (*local)->Stop();
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/up_plan.hpp"
#include "kit/store/local_postgres.hpp"

namespace reservo::cli {

// Sets the engines named in `list` ("kafka", "postgres", "embedded", "sqlite"; comma-separated).
Status ApplyEnginesFlag(const std::string& list);

// Starts what the systems need and nobody gave: a local PostgreSQL (and sets its URL for every
// process). Fails, saying what to give, when a system's events are on Kafka without brokers.
Result<std::optional<store::LocalPostgres>> StartLocalEngines(const std::vector<SystemToStart>& systems,
                                                              const std::string& data_dir);

}  // namespace reservo::cli
