#include "cli/up_engines.hpp"

#include <cstdlib>
#include <sstream>

#include "kit/core/log.hpp"
#include "kit/service/engines.hpp"
#include "kit/service/topology.hpp"

namespace reservo::cli {

Status ApplyEnginesFlag(const std::string& list) {
    std::stringstream in(list);
    for (std::string engine; std::getline(in, engine, ',');) {
        if (engine == "kafka" || engine == "embedded") {
            ::setenv("RESERVO_EVENTS_ENGINE", engine.c_str(), 1);
        } else if (engine == "postgres" || engine == "sqlite") {
            ::setenv("RESERVO_STORE_ENGINE", engine.c_str(), 1);
        } else {
            return Fail(Code::kInvalidArgument, "--engines: unknown engine '" + engine +
                                                    "' (events: embedded, kafka; store: sqlite, postgres)");
        }
    }
    return Ok();
}

Result<std::optional<store::LocalPostgres>> StartLocalEngines(const std::vector<SystemToStart>& systems,
                                                              const std::string& data_dir) {
    std::vector<std::string> need_postgres;
    for (const auto& [system, config] : systems) {
        if (config.Find("events.engine") == std::optional<std::string>("kafka") &&
            !config.Find("events.kafka.brokers")) {
            return Fail(Code::kInvalidArgument,
                        system +
                            ": its events are on Kafka (events.engine) but no brokers are given: set "
                            "RESERVO_EVENTS_KAFKA_BROKERS=host:port,... — for development, `reservo kafka-dev` "
                            "runs a mock cluster and prints its address");
        }
        for (const std::string& process : service::ProcessNames(config)) {
            if (process == "gateway") continue;
            if (service::NeedsLocalPostgres(config, process)) need_postgres.push_back(system + "/" + process);
        }
    }
    if (need_postgres.empty()) return std::nullopt;
    auto pg = store::LocalPostgres::Start(data_dir + "/postgres");
    if (!pg) return Fail(pg.error().code, "cannot start a local PostgreSQL: " + pg.error().message);
    std::string who;
    for (const auto& s : need_postgres) who += (who.empty() ? "" : ", ") + s;
    log::Info("local PostgreSQL ready", {{"dir", pg->dir()}, {"url", pg->url()}, {"for", who}});
    ::setenv("RESERVO_STORE_POSTGRES_URL", pg->url().c_str(), 1);
    return std::optional<store::LocalPostgres>(std::move(*pg));
}

}  // namespace reservo::cli
