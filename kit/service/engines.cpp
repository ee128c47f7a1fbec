#include "kit/service/engines.hpp"

#include "kit/core/try.hpp"
#include "kit/messaging/kafka_event_log.hpp"
#include "kit/messaging/sqlite_event_log.hpp"
#include "kit/store/postgres.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::service {

StoreSettings StoreOf(const Config& cfg, const std::string& service) {
    const std::string own = "services." + service + ".store.";
    StoreSettings s;
    s.engine = cfg.Find(own + "engine").value_or(cfg.Find("store.engine").value_or("sqlite"));
    s.postgres_url = cfg.Find(own + "postgres.url").value_or(cfg.Find("store.postgres.url").value_or(""));
    return s;
}

Result<EngineSettings> ReadEngineSettings(const Config& cfg, const std::string& service) {
    EngineSettings s;
    RESERVO_TRY(cfg.RequireString("store.engine"));
    s.store = StoreOf(cfg, service);
    s.store.synchronous_full = RESERVO_TRY(cfg.RequireString("store.synchronous")) == "full";
    if (s.store.engine == "postgres" && s.store.postgres_url.empty()) {
        return Fail(Code::kInvalidArgument,
                    "store.engine is postgres for " + service +
                        " but no store.postgres.url (RESERVO_STORE_POSTGRES_URL) is given; `reservo up` starts a "
                        "local server when none is given");
    }
    s.events = RESERVO_TRY(ReadEventLogSettings(cfg));
    return s;
}

Result<EventLogSettings> ReadEventLogSettings(const Config& cfg) {
    EventLogSettings s;
    s.engine = RESERVO_TRY(cfg.RequireString("events.engine"));
    s.partitions = static_cast<int>(RESERVO_TRY(cfg.RequireInt("events.partitions")));
    if (s.engine == "kafka") {
        s.kafka_brokers = cfg.Find("events.kafka.brokers").value_or("");
        if (s.kafka_brokers.empty()) {
            return Fail(Code::kInvalidArgument,
                        "events.engine is kafka but no events.kafka.brokers (RESERVO_EVENTS_KAFKA_BROKERS) is given; "
                        "`reservo kafka-dev` runs a mock cluster for development");
        }
        const std::pair<const char*, const char*> passed[] = {{"security-protocol", "security.protocol"},
                                                              {"sasl-mechanism", "sasl.mechanisms"},
                                                              {"sasl-username", "sasl.username"},
                                                              {"sasl-password", "sasl.password"}};
        for (const auto& [key, setting] : passed) {
            if (auto v = cfg.Find(std::string("events.kafka.") + key)) s.kafka_client[setting] = *v;
        }
        if (auto rf = cfg.Find("events.kafka.replication-factor")) s.replication_factor = std::stoi(*rf);
        if (auto st = cfg.Find("events.kafka.session-timeout-ms")) s.session_timeout_ms = std::stoi(*st);
    }
    return s;
}

std::string SchemaName(const ServicePlace& place) {
    std::string out = place.system + "_" + place.service;
    for (auto& c : out) {
        if (c == '-') c = '_';
    }
    return out;
}

Result<std::unique_ptr<store::Database>> OpenStore(const StoreSettings& settings, const ServicePlace& place) {
    if (settings.engine == "postgres") {
        return store::PostgresDatabase::Open({.url = settings.postgres_url, .schema = SchemaName(place)});
    }
    return store::SqliteDatabase::Open(place.data_dir + "/" + place.service + ".db", 5000, settings.synchronous_full);
}

Result<std::unique_ptr<messaging::EventLog>> OpenEventLog(const EventLogSettings& settings, const ServicePlace& place) {
    if (settings.engine == "kafka") {
        return messaging::KafkaEventLog::Open({.brokers = settings.kafka_brokers,
                                               .group_prefix = place.system,
                                               .partitions = settings.partitions,
                                               .replication_factor = settings.replication_factor,
                                               .client_settings = settings.kafka_client,
                                               .session_timeout_ms = settings.session_timeout_ms});
    }
    return messaging::SqliteEventLog::Open(place.data_dir + "/events.db", settings.partitions);
}

}  // namespace reservo::service
