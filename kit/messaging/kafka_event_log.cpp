#include "kit/messaging/kafka_event_log.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"
#include "kit/json/json.hpp"

namespace reservo::messaging {
namespace {

constexpr std::string_view kSpecVersion = "1.0";
constexpr std::string_view kContentType = "application/json";
constexpr int64_t kUnset = RD_KAFKA_OFFSET_INVALID;  // no committed offset
constexpr int64_t kStartOffsetTtlMs = 5000;          // a StartOffset answer is reused this long
constexpr int64_t kEndOffsetTtlMs = 500;             // an EndOffset query answer is reused this long
constexpr int64_t kReaderIdleMs = 60000;             // a partition not fetched this long stops being read
constexpr int kMaxBatch = 1000;

int64_t SteadyMs() { return std::chrono::duration_cast<Millis>(SteadyClock::now().time_since_epoch()).count(); }

void SleepMs(int ms) { std::this_thread::sleep_for(Millis(ms)); }

struct HandleDeleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;
struct ConfDeleter {
    void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
struct ListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;
struct QueueDeleter {
    void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
struct EventDeleter {
    void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
struct MessageDeleter {
    void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
struct MetadataDeleter {
    void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using Metadata = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

std::string ErrorText(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

// librdkafka's own log lines at warning and above, as Reservo log lines (called from its threads).
void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* line) {
    if (level > 4) return;  // syslog levels: 4 = warning
    auto emit = level <= 3 ? log::Error : log::Warn;
    emit("librdkafka", {{"client", rd_kafka_name(rk)}, {"facility", facility}, {"detail", line}});
}

// A librdkafka configuration: the adapter's defaults, then the operator's settings over them.
Result<Conf> MakeConf(const KafkaEventLogOptions& options, std::vector<std::pair<std::string, std::string>> defaults) {
    Conf conf(rd_kafka_conf_new());
    char error[512];
    defaults.emplace(defaults.begin(), "bootstrap.servers", options.brokers);
    for (const auto& settings : {defaults, std::vector<std::pair<std::string, std::string>>(
                                               options.client_settings.begin(), options.client_settings.end())}) {
        for (const auto& [name, value] : settings) {
            if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
                return Fail(Code::kInvalidArgument, "Kafka client setting " + name + ": " + error);
            }
        }
    }
    rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
    return conf;
}

Result<Handle> NewClient(rd_kafka_type_t type, Conf conf) {
    char error[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
    if (!rk) return Fail(Code::kInvalidArgument, std::string("Kafka client: ") + error);
    (void)conf.release();  // owned by the client now
    return Handle(rk);
}

PartitionList OneOffset(std::string_view topic, int partition, int64_t offset) {
    PartitionList list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), std::string(topic).c_str(), partition)->offset = offset;
    return list;
}

std::string_view Header(rd_kafka_headers_t* headers, const char* name) {
    const void* value = nullptr;
    size_t size = 0;
    if (!headers || rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR || !value) {
        return {};
    }
    return {static_cast<const char*>(value), size};
}

// A Kafka record back into the CloudEvent it carries (binary content mode).
Record ToRecord(const rd_kafka_message_t* m) {
    Record record{.partition = m->partition, .offset = m->offset};
    rd_kafka_headers_t* headers = nullptr;
    (void)rd_kafka_message_headers(m, &headers);
    CloudEvent& event = record.event;
    event.id = Header(headers, "ce_id");
    event.source = Header(headers, "ce_source");
    event.type = Header(headers, "ce_type");
    event.subject = Header(headers, "ce_subject");
    event.time = Header(headers, "ce_time");
    event.traceparent = Header(headers, "ce_traceparent");
    if (event.subject.empty() && m->key) event.subject.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload && m->len > 0) {
        std::string_view value(static_cast<const char*>(m->payload), m->len);
        if (auto data = json::ParseObject(value)) {
            event.data = std::move(*data);
        } else {
            // Never block the partition on an unreadable value: hand over what the headers say.
            log::Error("unreadable event data", {{"topic", rd_kafka_topic_name(m->rkt)},
                                                 {"partition", m->partition},
                                                 {"offset", m->offset},
                                                 {"error", data.error().message}});
        }
    }
    rd_kafka_timestamp_type_t type;
    const int64_t timestamp = rd_kafka_message_timestamp(m, &type);
    record.appended_at_ms = timestamp >= 0 ? timestamp : NowUnixMillis();
    return record;
}

// The CloudEvents Kafka binding's headers of an event.
rd_kafka_headers_t* CloudEventHeaders(const CloudEvent& event) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(8);
    auto add = [&](const char* name, std::string_view value) {
        if (!value.empty()) rd_kafka_header_add(headers, name, -1, value.data(), static_cast<ssize_t>(value.size()));
    };
    add("ce_specversion", kSpecVersion);
    add("ce_id", event.id);
    add("ce_source", event.source);
    add("ce_type", event.type);
    add("ce_subject", event.subject);
    add("ce_time", event.time);
    add("ce_traceparent", event.traceparent);
    add("content-type", kContentType);
    return headers;
}

// A record to produce: key, value (empty = a tombstone when `tombstone`), headers (owned until produced).
struct OutRecord {
    std::string id;  // the event's id: an Append of the same event again waits for this one
    std::string key;
    std::string value;
    rd_kafka_headers_t* headers = nullptr;
    int32_t partition = RD_KAFKA_PARTITION_UA;  // UA: the partitioner's choice by key
};

}  // namespace

class KafkaEventLog::Impl {
  public:
    // A consumer-group membership of this process: (group, topic, member id).
    struct Member {
        Impl* log = nullptr;
        std::string group;
        std::string topic;
        std::string member_id;
        Handle rk;
        std::vector<int> owned;            // sorted, as of the last rebalance callback
        bool assignment_changed = true;    // committed offsets to refresh
        std::map<int, int64_t> committed;  // of the owned partitions; kUnset when the group never committed
        std::string error;                 // the last consumer error worth reporting
    };
    struct ReaderPartition {
        bool started = false;
        int64_t next = 0;  // the offset the next record handed out will have
        int64_t used_ms = 0;
        Queue queue;  // the partition's fetch queue (its length feeds Version)
    };
    struct Marks {
        int64_t low = -1;
        int64_t high = -1;
        int64_t low_at = 0;
        int64_t high_at = 0;
    };
    // What became of a record produced by this process, by its id, until an Append of it succeeds.
    struct Delivery {
        enum class State { kInFlight, kAcked, kFailed } state = State::kInFlight;
        std::string error;
        int64_t at_ms = 0;  // produced, or its report came
    };
    struct PendingReset {
        std::string group;
        std::string topic;
        StoreRecord store;
    };
    using Key = std::pair<std::string, int>;

    explicit Impl(const KafkaEventLogOptions& options) : o(options) {}
    ~Impl() {
        for (auto& member : members) CloseMember(*member, true);
        members.clear();
        for (auto& [key, part] : reader_parts) {
            if (part.started) rd_kafka_consume_stop(ReaderTopic(key.first), key.second);
            part.queue.reset();
        }
        for (auto& [name, rkt] : reader_topics) rd_kafka_topic_destroy(rkt);
        reader_topics.clear();
        reader.reset();
        for (rd_kafka_topic_t* rkt : producer_topics) rd_kafka_topic_destroy(rkt);
        if (producer) (void)rd_kafka_flush(producer.get(), 0);
        producer.reset();
    }

    Status Connect();
    Result<int> EnsureTopic(std::string_view topic, int partitions, bool compact);
    Result<int> MetadataPartitions(rd_kafka_t* rk, rd_kafka_topic_t* rkt, std::string_view topic);
    Status CreateTopic(const std::string& topic, int partitions, bool compact);
    Status ProduceAndWait(const std::string& topic, std::vector<OutRecord>& records, int wait_ms);
    rd_kafka_topic_t* ReaderTopic(const std::string& topic);
    Status Restart(const std::string& topic, int partition, ReaderPartition& part, int64_t offset);
    Result<Marks> QueryMarks(const std::string& topic, int partition, int timeout_ms);
    Result<int64_t> Low(const std::string& topic, int partition);
    Result<Member*> GetMember(std::string_view group, std::string_view topic, std::string_view member_id);
    Member* FindMember(std::string_view group, std::string_view topic);
    void PollMember(Member& member);
    void CloseMember(Member& member, bool leave);
    void Serve();
    Status RefreshAssignment(Member& member);
    Result<Handle> NewGroupClient(std::string_view group);
    Status CommitAndWait(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* offsets, std::string_view group);
    Result<PartitionList> StartOffsets(const std::string& topic);
    Status WriteStore(std::string_view service, const StoreRecord& store);
    std::string Unreachable(std::string_view what) const;

    // librdkafka callbacks (served by the poll calls above, on the caller's thread).
    static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
    static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
    static int OnStats(rd_kafka_t* rk, char* json, size_t len, void* opaque);
    static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                            void* opaque);
    static void OnCommit(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                         void* opaque);
    static void OnMemberError(rd_kafka_t* rk, int err, const char* reason, void* opaque);

    KafkaEventLogOptions o;
    Handle producer;
    Handle reader;  // no group: the legacy per-partition consumer, started and positioned by Fetch
    std::map<std::string, rd_kafka_topic_t*, std::less<>> reader_topics;
    std::vector<rd_kafka_topic_t*> producer_topics;
    std::map<Key, ReaderPartition> reader_parts;
    std::map<std::string, int, std::less<>> partitions;
    std::map<Key, Marks> marks;
    std::map<Key, int64_t> appended_end;                      // acknowledged appends of this process: offset + 1
    std::map<std::string, Delivery, std::less<>> deliveries;  // by record id
    std::map<uint64_t, std::string> in_flight;                // message token → record id
    uint64_t next_token = 1;
    int broker_count = 1;
    int64_t delivered = 0;   // records this process appended
    int64_t handed_out = 0;  // records Fetch returned
    int64_t rebalances = 0;
    bool brokers_down = false;
    std::string down_reason;
    std::string fatal;
    std::vector<std::unique_ptr<Member>> members;
    std::vector<PendingReset> pending_resets;
    int64_t last_sweep_ms = 0;
};

// ---- callbacks ----

void KafkaEventLog::Impl::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const auto id = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m->_private));
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++self->delivered;
        self->brokers_down = false;
        int64_t& end = self->appended_end[{rd_kafka_topic_name(m->rkt), m->partition}];
        end = std::max(end, m->offset + 1);
    }
    auto token = self->in_flight.find(id);
    if (token == self->in_flight.end()) return;
    auto it = self->deliveries.find(token->second);
    self->in_flight.erase(token);
    if (it == self->deliveries.end()) return;
    it->second.at_ms = SteadyMs();
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        it->second.state = Delivery::State::kAcked;
    } else {
        it->second.state = Delivery::State::kFailed;
        it->second.error = ErrorText(m->err);
    }
}

void KafkaEventLog::Impl::OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char detail[512] = "";
        const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, detail, sizeof detail);
        self->fatal = ErrorText(cause) + ": " + detail;
        log::Error("Kafka client failed for good", {{"client", rd_kafka_name(rk)}, {"error", self->fatal}});
    } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        if (!self->brokers_down) log::Warn("all Kafka brokers are down", {{"brokers", self->o.brokers}});
        self->brokers_down = true;
        self->down_reason = reason;
    } else {
        log::Debug("Kafka client error", {{"client", rd_kafka_name(rk)}, {"error", reason}});
    }
}

// The producer's statistics (every second) say when a broker is reachable again.
int KafkaEventLog::Impl::OnStats(rd_kafka_t*, char* json, size_t len, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (!self->brokers_down) return 0;
    boost::system::error_code ec;
    bj::value stats = bj::parse(std::string_view(json, len), ec);
    if (ec || !stats.is_object()) return 0;
    const bj::value* brokers = stats.get_object().if_contains("brokers");
    if (!brokers || !brokers->is_object()) return 0;
    for (const auto& [name, broker] : brokers->get_object()) {
        if (!broker.is_object()) continue;
        const bj::value* id = broker.get_object().if_contains("nodeid");
        const bj::value* state = broker.get_object().if_contains("state");
        if (id && id->is_int64() && id->get_int64() >= 0 && state && state->is_string() &&
            state->get_string() == "UP") {
            log::Info("a Kafka broker is reachable again", {{"broker", std::string_view(name.data(), name.size())}});
            self->brokers_down = false;
            break;
        }
    }
    return 0;  // librdkafka frees `json`
}

void KafkaEventLog::Impl::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                      rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* member = static_cast<Member*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    std::vector<int> changed;
    for (int i = 0; i < partitions->cnt; ++i) {
        // This consumer only holds the membership: the reader reads. Start at the end, paused.
        partitions->elems[i].offset = RD_KAFKA_OFFSET_END;
        if (member->topic == partitions->elems[i].topic) changed.push_back(partitions->elems[i].partition);
    }
    std::vector<int>& owned = member->owned;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_error_t* error = nullptr;
        if (cooperative) {
            error = rd_kafka_incremental_assign(rk, partitions);
        } else {
            (void)rd_kafka_assign(rk, partitions);
            owned.clear();
        }
        if (error) rd_kafka_error_destroy(error);
        (void)rd_kafka_pause_partitions(rk, partitions);
        owned.insert(owned.end(), changed.begin(), changed.end());
    } else {
        if (cooperative) {
            if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, partitions)) rd_kafka_error_destroy(error);
            std::erase_if(owned, [&](int p) { return std::ranges::find(changed, p) != changed.end(); });
            for (int p : changed) member->committed.erase(p);
        } else {
            (void)rd_kafka_assign(rk, nullptr);
            owned.clear();
            member->committed.clear();
        }
        if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
            log::Warn("Kafka consumer group rebalance failed", {{"group", member->group}, {"error", ErrorText(err)}});
        }
    }
    std::ranges::sort(owned);
    owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
    member->assignment_changed = true;
    ++member->log->rebalances;
}

void KafkaEventLog::Impl::OnCommit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                                   void* opaque) {
    auto* member = static_cast<Member*>(opaque);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    // A rebalance in between: the partition's new owner reads from the last commit, the inbox absorbs the rest.
    log::Debug("Kafka offset commit failed", {{"group", member->group}, {"error", ErrorText(err)}});
}

void KafkaEventLog::Impl::OnMemberError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* member = static_cast<Member*>(opaque);
    OnError(rk, err, reason, member->log);
    if (err == RD_KAFKA_RESP_ERR__FATAL) member->error = member->log->fatal;
}

// ---- connection, topics ----

std::string KafkaEventLog::Impl::Unreachable(std::string_view what) const {
    return std::string(what) + " (Kafka brokers " + o.brokers + ")";
}

Status KafkaEventLog::Impl::Connect() {
    auto pconf = MakeConf(o, {{"client.id", "reservo-" + o.group_prefix},
                              {"enable.idempotence", "true"},
                              {"acks", "all"},
                              {"partitioner", "murmur2_random"},
                              {"message.timeout.ms", std::to_string(o.message_timeout_ms)},
                              {"linger.ms", "1"},
                              {"statistics.interval.ms", "1000"}});
    if (!pconf) return Fail(pconf.error());
    rd_kafka_conf_set_opaque(pconf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(pconf->get(), OnDelivery);
    rd_kafka_conf_set_error_cb(pconf->get(), OnError);
    rd_kafka_conf_set_stats_cb(pconf->get(), OnStats);
    auto p = NewClient(RD_KAFKA_PRODUCER, std::move(*pconf));
    if (!p) return Fail(p.error());
    producer = std::move(*p);

    auto rconf = MakeConf(o, {{"client.id", "reservo-" + o.group_prefix + "-reader"},
                              {"enable.partition.eof", "false"},
                              {"auto.offset.reset", "earliest"},
                              {"allow.auto.create.topics", "false"},
                              {"fetch.wait.max.ms", std::to_string(o.fetch_wait_max_ms)},
                              {"fetch.error.backoff.ms", "100"},
                              {"queued.min.messages", "1000"},
                              {"queued.max.messages.kbytes", "8192"}});
    if (!rconf) return Fail(rconf.error());
    rd_kafka_conf_set_opaque(rconf->get(), this);
    rd_kafka_conf_set_error_cb(rconf->get(), OnError);
    auto r = NewClient(RD_KAFKA_CONSUMER, std::move(*rconf));
    if (!r) return Fail(r.error());
    reader = std::move(*r);
    return Ok();
}

rd_kafka_topic_t* KafkaEventLog::Impl::ReaderTopic(const std::string& topic) {
    if (auto it = reader_topics.find(topic); it != reader_topics.end()) return it->second;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(reader.get(), topic.c_str(), nullptr);
    reader_topics.emplace(topic, rkt);
    return rkt;
}

// The topic's partition count from `rk`'s metadata; 0 when the topic does not exist (yet).
Result<int> KafkaEventLog::Impl::MetadataPartitions(rd_kafka_t* rk, rd_kafka_topic_t* rkt, std::string_view topic) {
    const rd_kafka_metadata_t* raw = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &raw, o.request_timeout_ms);
    if (err)
        return Fail(Code::kUnavailable,
                    Unreachable("no metadata for topic " + std::string(topic) + ": " + ErrorText(err)));
    Metadata md(raw);
    broker_count = std::max(md->broker_cnt, 1);
    for (int i = 0; i < md->topic_cnt; ++i) {
        const auto& t = md->topics[i];
        if (topic != t.topic) continue;
        if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR || t.partition_cnt > 0) return t.partition_cnt;
        return 0;
    }
    return 0;
}

Status KafkaEventLog::Impl::CreateTopic(const std::string& topic, int count, bool compact) {
    const int replication = o.replication_factor > 0 ? o.replication_factor : std::min(3, broker_count);
    char error[512] = "";
    rd_kafka_NewTopic_t* spec = rd_kafka_NewTopic_new(topic.c_str(), count, replication, error, sizeof error);
    if (!spec) return Fail(Code::kInvalidArgument, "topic " + topic + ": " + error);
    if (compact) (void)rd_kafka_NewTopic_set_config(spec, "cleanup.policy", "compact");
    Queue queue(rd_kafka_queue_new(producer.get()));
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(producer.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    (void)rd_kafka_AdminOptions_set_request_timeout(options, o.request_timeout_ms, error, sizeof error);
    rd_kafka_CreateTopics(producer.get(), &spec, 1, options, queue.get());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(spec);
    Event event(rd_kafka_queue_poll(queue.get(), o.request_timeout_ms + 1000));
    if (!event) return Fail(Code::kUnavailable, Unreachable("creating topic " + topic + " timed out"));
    rd_kafka_resp_err_t err = rd_kafka_event_error(event.get());
    std::string why = err ? rd_kafka_event_error_string(event.get()) : "";
    if (!err) {
        size_t n = 0;
        const rd_kafka_topic_result_t** results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &n);
        for (size_t i = 0; i < n && !err; ++i) {
            err = rd_kafka_topic_result_error(results[i]);
            if (err)
                why = rd_kafka_topic_result_error_string(results[i]) ? rd_kafka_topic_result_error_string(results[i])
                                                                     : "";
        }
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        log::Info("Kafka topic created", {{"topic", topic}, {"partitions", count}, {"replicationFactor", replication}});
        return Ok();
    }
    if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE || err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION) {
        if (o.create_topic) return o.create_topic(topic, count, replication);
        // Let the broker create it on first use, with its own default partition count.
        log::Warn("the Kafka cluster cannot create topics (no CreateTopics API); relying on its auto-creation",
                  {{"topic", topic}, {"brokers", o.brokers}});
        rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer.get(), topic.c_str(), nullptr);
        auto n = MetadataPartitions(producer.get(), rkt, topic);
        rd_kafka_topic_destroy(rkt);
        if (!n) return Fail(n.error());
        return Ok();
    }
    const Code code = err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT
                          ? Code::kUnavailable
                          : Code::kFailedPrecondition;
    return Fail(code,
                Unreachable("cannot create topic " + topic + ": " + ErrorText(err) + (why.empty() ? "" : ": " + why)));
}

Result<int> KafkaEventLog::Impl::EnsureTopic(std::string_view topic, int count, bool compact) {
    if (auto it = partitions.find(topic); it != partitions.end()) return it->second;
    const std::string name(topic);
    if (o.create_topic) {
        // A cluster without CreateTopics (the mock) creates a topic on any metadata request for it: first.
        const int replication = o.replication_factor > 0 ? o.replication_factor : 0;
        if (auto st = o.create_topic(name, count, replication); !st) return Fail(st.error());
    }
    rd_kafka_topic_t* rkt = ReaderTopic(name);
    auto n = MetadataPartitions(reader.get(), rkt, topic);
    if (!n) return Fail(n.error());
    if (*n == 0) {
        if (auto st = CreateTopic(name, count, compact); !st) return Fail(st.error());
        // A new topic takes a moment to show in every broker's metadata.
        for (const int64_t deadline = SteadyMs() + o.request_timeout_ms; *n == 0 && SteadyMs() < deadline;) {
            SleepMs(20);
            n = MetadataPartitions(reader.get(), rkt, topic);
            if (!n) return Fail(n.error());
        }
        if (*n == 0)
            return Fail(Code::kUnavailable, Unreachable("topic " + name + " did not appear after its creation"));
    }
    // The producer learns of a topic at its next metadata scan (up to a second): tell it now.
    rd_kafka_topic_t* prkt = rd_kafka_topic_new(producer.get(), name.c_str(), nullptr);
    producer_topics.push_back(prkt);
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(producer.get(), 0, prkt, &md, o.request_timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(md);
    }
    partitions.emplace(name, *n);
    return *n;
}

// ---- producing ----

// Never sends a record twice while its first copy may still land: an Append that returned before
// the acknowledgements came (it waits at most `wait_ms`) is called again by the relay with the same
// events, and then only waits for those in flight and sends again those that failed. So a slow
// broker holds no event loop, and only a failed delivery (or a restart) makes a copy, which the
// consumers' inbox absorbs.
Status KafkaEventLog::Impl::ProduceAndWait(const std::string& topic, std::vector<OutRecord>& records, int wait_ms) {
    if (!fatal.empty()) return Fail(Code::kUnavailable, Unreachable("the Kafka producer failed for good: " + fatal));
    const int64_t start = SteadyMs();
    std::erase_if(deliveries, [&](const auto& entry) {  // reports nobody asked about again (another replica relayed)
        return entry.second.state != Delivery::State::kInFlight && start - entry.second.at_ms > 60'000;
    });
    auto needs_sending = [&](const OutRecord& record) {
        auto it = deliveries.find(record.id);
        return it == deliveries.end() || it->second.state == Delivery::State::kFailed;
    };
    if (brokers_down && std::ranges::any_of(records, needs_sending)) {
        // Queued now, the events would reach the log when the brokers are back, after the relay's own retry:
        // every retry would add a copy. The producer's statistics say within a second when one is back.
        return Fail(Code::kUnavailable, "all Kafka brokers are unreachable (" + o.brokers + "): " + down_reason);
    }
    std::string produce_error;
    for (OutRecord& record : records) {
        if (!needs_sending(record)) continue;
        const uint64_t token = next_token++;
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(record.partition),
            RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
            RD_KAFKA_V_VALUE(record.value.empty() ? nullptr : record.value.data(), record.value.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(record.headers),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(token))), RD_KAFKA_V_END);
        if (err) {
            produce_error = ErrorText(err);
            break;
        }
        record.headers = nullptr;  // the message owns them now
        in_flight[token] = record.id;
        deliveries[record.id] = Delivery{.at_ms = start};
    }
    for (OutRecord& record : records) {
        if (record.headers) rd_kafka_headers_destroy(record.headers);
        record.headers = nullptr;
    }
    if (!produce_error.empty()) {
        return Fail(Code::kUnavailable, Unreachable("cannot queue events for topic " + topic + ": " + produce_error));
    }
    size_t pending = 0, failed = 0;
    std::string error;
    auto tally = [&] {
        pending = failed = 0;
        for (const OutRecord& record : records) {
            const Delivery& d = deliveries[record.id];
            pending += d.state == Delivery::State::kInFlight;
            if (d.state == Delivery::State::kFailed) {
                ++failed;
                error = d.error;
            }
        }
        return pending == 0;
    };
    int64_t deadline = start + wait_ms;
    while (!tally()) {
        const int64_t now = SteadyMs();
        if (brokers_down) deadline = std::min(deadline, start + o.unavailable_wait_ms);
        if (now >= deadline) break;
        rd_kafka_poll(producer.get(), static_cast<int>(std::min<int64_t>(deadline - now, 5)));
    }
    if (pending > 0) {
        return Fail(Code::kUnavailable, Unreachable(std::to_string(pending) + " of " + std::to_string(records.size()) +
                                                    " events for topic " + topic + " not acknowledged yet after " +
                                                    std::to_string(SteadyMs() - start) + " ms" +
                                                    (brokers_down ? ": " + down_reason : std::string())));
    }
    if (failed > 0) {
        return Fail(Code::kUnavailable, Unreachable(std::to_string(failed) + " of " + std::to_string(records.size()) +
                                                    " events for topic " + topic + " were not appended: " + error));
    }
    for (const OutRecord& record : records) deliveries.erase(record.id);
    return Ok();
}

// ---- reading ----

Status KafkaEventLog::Impl::Restart(const std::string& topic, int partition, ReaderPartition& part, int64_t offset) {
    rd_kafka_topic_t* rkt = ReaderTopic(topic);
    if (part.started) {
        (void)rd_kafka_consume_stop(rkt, partition);  // drops what was fetched for the old position
        part.started = false;
    }
    if (rd_kafka_consume_start(rkt, partition, offset) == -1) {
        return Fail(Code::kUnavailable, Unreachable("cannot read " + topic + "[" + std::to_string(partition) +
                                                    "]: " + ErrorText(rd_kafka_last_error())));
    }
    part.started = true;
    part.next = offset;
    if (!part.queue) part.queue.reset(rd_kafka_queue_get_partition(reader.get(), topic.c_str(), partition));
    return Ok();
}

Result<KafkaEventLog::Impl::Marks> KafkaEventLog::Impl::QueryMarks(const std::string& topic, int partition,
                                                                   int timeout_ms) {
    int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(reader.get(), topic.c_str(), partition, &low, &high, timeout_ms);
    if (err) {
        return Fail(Code::kUnavailable,
                    Unreachable("no offsets for " + topic + "[" + std::to_string(partition) + "]: " + ErrorText(err)));
    }
    Marks& m = marks[{topic, partition}];
    const int64_t now = SteadyMs();
    m = Marks{.low = low, .high = high, .low_at = now, .high_at = now};
    return m;
}

Result<int64_t> KafkaEventLog::Impl::Low(const std::string& topic, int partition) {
    if (auto it = marks.find({topic, partition});
        it != marks.end() && it->second.low >= 0 && SteadyMs() - it->second.low_at < kStartOffsetTtlMs) {
        return it->second.low;
    }
    auto m = QueryMarks(topic, partition, o.query_timeout_ms);
    if (!m) return Fail(m.error());
    return m->low;
}

// ---- consumer groups ----

KafkaEventLog::Impl::Member* KafkaEventLog::Impl::FindMember(std::string_view group, std::string_view topic) {
    for (auto& member : members) {
        if (member->group == group && member->topic == topic) return member.get();
    }
    return nullptr;
}

Result<KafkaEventLog::Impl::Member*> KafkaEventLog::Impl::GetMember(std::string_view group, std::string_view topic,
                                                                    std::string_view member_id) {
    for (auto& member : members) {
        if (member->group == group && member->topic == topic && member->member_id == member_id) return member.get();
    }
    auto member = std::make_unique<Member>();
    member->log = this;
    member->group = group;
    member->topic = topic;
    member->member_id = member_id;
    const std::string group_id = o.group_prefix + "." + std::string(group);
    auto conf = MakeConf(o, {{"client.id", "reservo-" + std::string(member_id)},
                             {"group.id", group_id},
                             {"session.timeout.ms", std::to_string(o.session_timeout_ms)},
                             {"heartbeat.interval.ms", std::to_string(std::clamp(o.session_timeout_ms / 4, 100, 3000))},
                             {"enable.auto.commit", "false"},
                             {"enable.auto.offset.store", "false"},
                             {"auto.offset.reset", "earliest"},
                             {"enable.partition.eof", "false"},
                             {"allow.auto.create.topics", "false"}});
    if (!conf) return Fail(conf.error());
    rd_kafka_conf_set_opaque(conf->get(), member.get());
    rd_kafka_conf_set_rebalance_cb(conf->get(), OnRebalance);
    rd_kafka_conf_set_offset_commit_cb(conf->get(), OnCommit);
    rd_kafka_conf_set_error_cb(conf->get(), OnMemberError);
    auto rk = NewClient(RD_KAFKA_CONSUMER, std::move(*conf));
    if (!rk) return Fail(rk.error());
    member->rk = std::move(*rk);
    (void)rd_kafka_poll_set_consumer(member->rk.get());
    PartitionList subscription(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(subscription.get(), member->topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(member->rk.get(), subscription.get())) {
        return Fail(Code::kUnavailable, Unreachable("cannot join group " + group_id + ": " + ErrorText(err)));
    }
    member->owned.clear();
    members.push_back(std::move(member));
    return members.back().get();
}

void KafkaEventLog::Impl::PollMember(Member& member) {
    // The membership consumer delivers nothing worth keeping (its partitions are paused): drop it.
    for (int i = 0; i < 100; ++i) {
        Message m(rd_kafka_consumer_poll(member.rk.get(), 0));
        if (!m) break;
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            char* text = static_cast<char*>(m->payload);
            member.error = ErrorText(m->err) + (text && m->len ? ": " + std::string(text, m->len) : std::string());
            log::Debug("Kafka consumer group error", {{"group", member.group}, {"error", member.error}});
        }
    }
}

void KafkaEventLog::Impl::CloseMember(Member& member, bool leave) {
    if (!member.rk) return;
    if (leave && !brokers_down && fatal.empty()) {
        // Leaves the group (the rebalance callback revokes the partitions), so the others take over at once.
        (void)rd_kafka_consumer_close(member.rk.get());
    }
    rd_kafka_destroy_flags(member.rk.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void KafkaEventLog::Impl::Serve() {
    if (producer) (void)rd_kafka_poll(producer.get(), 0);
    if (reader) (void)rd_kafka_poll(reader.get(), 0);
    for (auto& member : members) PollMember(*member);
    const int64_t now = SteadyMs();
    if (now - last_sweep_ms < 1000) return;
    last_sweep_ms = now;
    // Partitions nobody fetched for a while (another member owns them now) stop being read. Not those
    // a member of this process owns: a consumer that is caught up fetches only when Version() moves,
    // and only a started partition's queue moves it when another process appends.
    auto owned_here = [&](const Key& key) {
        return std::ranges::any_of(members, [&](const auto& m) {
            return m->topic == key.first && std::ranges::find(m->owned, key.second) != m->owned.end();
        });
    };
    for (auto& [key, part] : reader_parts) {
        if (part.started && now - part.used_ms > kReaderIdleMs && !owned_here(key)) {
            (void)rd_kafka_consume_stop(ReaderTopic(key.first), key.second);
            part.started = false;
        }
    }
}

Result<PartitionList> KafkaEventLog::Impl::StartOffsets(const std::string& topic) {
    auto count = EnsureTopic(topic, o.partitions, false);
    if (!count) return Fail(count.error());
    PartitionList list(rd_kafka_topic_partition_list_new(*count));
    for (int p = 0; p < *count; ++p) {
        auto m = QueryMarks(topic, p, o.request_timeout_ms);
        if (!m) return Fail(m.error());
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = m->low;
    }
    return list;
}

Result<Handle> KafkaEventLog::Impl::NewGroupClient(std::string_view group) {
    auto conf = MakeConf(o, {{"client.id", "reservo-" + o.group_prefix + "-offsets"},
                             {"group.id", o.group_prefix + "." + std::string(group)},
                             {"enable.auto.commit", "false"},
                             {"allow.auto.create.topics", "false"}});
    if (!conf) return Fail(conf.error());
    return NewClient(RD_KAFKA_CONSUMER, std::move(*conf));
}

// Commits `offsets` and waits for the coordinator's answer (start-up paths only).
Status KafkaEventLog::Impl::CommitAndWait(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* offsets,
                                          std::string_view group) {
    Queue queue(rd_kafka_queue_new(rk));
    rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk, offsets, queue.get(), nullptr, nullptr);
    if (!err) {
        Event event(rd_kafka_queue_poll(queue.get(), o.request_timeout_ms));
        if (!event) {
            err = RD_KAFKA_RESP_ERR__TIMED_OUT;
        } else if (!(err = rd_kafka_event_error(event.get()))) {
            if (const rd_kafka_topic_partition_list_t* result = rd_kafka_event_topic_partition_list(event.get())) {
                for (int i = 0; i < result->cnt && !err; ++i) err = result->elems[i].err;
            }
        }
    }
    if (!err) return Ok();
    const std::string what =
        "cannot commit offsets of group " + o.group_prefix + "." + std::string(group) + ": " + ErrorText(err);
    // The group has (or, on librdkafka's mock cluster, once had) members: only a member may commit.
    if (err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
        err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS) {
        return Fail(Code::kFailedPrecondition, what);
    }
    return Fail(Code::kUnavailable, Unreachable(what));
}

// After a rebalance: the committed offsets of the new partitions, and a replay this process owes the group.
Status KafkaEventLog::Impl::RefreshAssignment(Member& member) {
    std::map<int, int64_t> committed;
    if (!member.owned.empty()) {
        PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(member.owned.size())));
        for (int p : member.owned) rd_kafka_topic_partition_list_add(list.get(), member.topic.c_str(), p);
        if (const rd_kafka_resp_err_t err = rd_kafka_committed(member.rk.get(), list.get(), o.request_timeout_ms)) {
            return Fail(Code::kUnavailable,
                        Unreachable("no committed offsets for group " + member.group + ": " + ErrorText(err)));
        }
        for (int i = 0; i < list->cnt; ++i) {
            committed[list->elems[i].partition] = list->elems[i].err ? kUnset : list->elems[i].offset;
        }
    }
    auto pending = std::ranges::find_if(
        pending_resets, [&](const PendingReset& r) { return r.group == member.group && r.topic == member.topic; });
    if (pending != pending_resets.end() && !member.owned.empty()) {
        // Now a member with a generation, this process may move the whole group back to the start.
        auto offsets = StartOffsets(member.topic);
        if (!offsets) return Fail(offsets.error());
        if (auto st = CommitAndWait(member.rk.get(), offsets->get(), member.group); !st) return st;
        if (auto st = WriteStore(pending->group, pending->store); !st) return st;
        log::Info("consumer group moved to the first event of the topic",
                  {{"group", member.group}, {"topic", member.topic}});
        for (int i = 0; i < (*offsets)->cnt; ++i) {
            if (committed.contains((*offsets)->elems[i].partition)) {
                committed[(*offsets)->elems[i].partition] = (*offsets)->elems[i].offset;
            }
        }
        pending_resets.erase(pending);
    }
    member.committed = std::move(committed);
    member.assignment_changed = false;
    return Ok();
}

// ---- store records ----

Status KafkaEventLog::Impl::WriteStore(std::string_view service, const StoreRecord& store) {
    auto topic = EnsureTopic(o.stores_topic, 1, true);
    if (!topic) return Fail(topic.error());
    bj::object value{{"storeId", store.store_id}, {"viewVersion", store.view_version}};
    std::vector<OutRecord> records;
    // Partition 0 whatever the topic has: KnownStore reads only that one.
    records.push_back(OutRecord{.id = "store:" + std::string(service) + ":" + std::to_string(next_token),
                                .key = std::string(service),
                                .value = json::Serialize(value),
                                .partition = 0});
    return ProduceAndWait(o.stores_topic, records, o.message_timeout_ms + 1000);  // start-up: wait it out
}

// ---- KafkaEventLog ----

KafkaEventLog::KafkaEventLog(KafkaEventLogOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

KafkaEventLog::~KafkaEventLog() = default;

Result<std::unique_ptr<KafkaEventLog>> KafkaEventLog::Open(KafkaEventLogOptions options) {
    if (options.brokers.empty()) return Fail(Code::kInvalidArgument, "Kafka brokers: required");
    if (options.group_prefix.empty()) return Fail(Code::kInvalidArgument, "Kafka group prefix: required");
    if (options.partitions <= 0) return Fail(Code::kInvalidArgument, "partitions must be positive");
    if (options.stores_topic.empty()) options.stores_topic = options.group_prefix + ".stores";
    std::unique_ptr<KafkaEventLog> log(new KafkaEventLog(std::move(options)));
    if (auto st = log->impl_->Connect(); !st) return Fail(st.error());
    if (auto n = log->impl_->EnsureTopic(log->options_.stores_topic, 1, true); !n) return Fail(n.error());
    return log;
}

std::string KafkaEventLog::GroupId(std::string_view group) const {
    return options_.group_prefix + "." + std::string(group);
}

Status KafkaEventLog::Append(std::string_view topic, std::span<const CloudEvent> events) {
    if (events.empty()) return Ok();
    impl_->Serve();
    if (auto n = impl_->EnsureTopic(topic, options_.partitions, false); !n) {
        return Fail(Code::kUnavailable, n.error().message);
    }
    std::vector<OutRecord> records;
    records.reserve(events.size());
    for (const CloudEvent& event : events) {
        records.push_back(OutRecord{.id = event.id,
                                    .key = event.subject,
                                    .value = json::Serialize(event.data),
                                    .headers = CloudEventHeaders(event)});
    }
    return impl_->ProduceAndWait(std::string(topic), records, options_.append_wait_ms);
}

Result<std::vector<Record>> KafkaEventLog::Fetch(std::string_view topic, int partition, int64_t from_offset, int max) {
    impl_->Serve();
    auto count = impl_->EnsureTopic(topic, options_.partitions, false);
    if (!count) return Fail(count.error());
    if (partition < 0 || partition >= *count) {
        return Fail(Code::kInvalidArgument,
                    "topic " + std::string(topic) + " has no partition " + std::to_string(partition));
    }
    const std::string name(topic);
    Impl::ReaderPartition& part = impl_->reader_parts[{name, partition}];
    part.used_ms = SteadyMs();
    if (!part.started || part.next != from_offset) {
        if (auto st = impl_->Restart(name, partition, part, from_offset); !st) return Fail(st.error());
    }
    std::vector<rd_kafka_message_t*> raw(static_cast<size_t>(std::clamp(max, 1, kMaxBatch)));
    const ssize_t n = rd_kafka_consume_batch(impl_->ReaderTopic(name), partition, 0, raw.data(), raw.size());
    std::vector<Record> out;
    if (n <= 0) return out;
    out.reserve(static_cast<size_t>(n));
    for (ssize_t i = 0; i < n; ++i) {
        Message m(raw[static_cast<size_t>(i)]);
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                log::Debug("Kafka fetch error",
                           {{"topic", name}, {"partition", partition}, {"error", rd_kafka_message_errstr(m.get())}});
            }
            continue;
        }
        if (m->offset < part.next) continue;  // older than what was asked for
        out.push_back(ToRecord(m.get()));
        part.next = m->offset + 1;
    }
    impl_->handed_out += static_cast<int64_t>(out.size());
    return out;
}

Result<int64_t> KafkaEventLog::Committed(std::string_view group, std::string_view topic, int partition) {
    impl_->Serve();
    const std::string name(topic);
    int64_t committed = kUnset;
    Impl::Member* member = impl_->FindMember(group, topic);
    if (member && !member->assignment_changed && member->committed.contains(partition)) {
        committed = member->committed[partition];
    } else {
        // Not owned here: ask the group's coordinator.
        Handle helper;
        rd_kafka_t* rk = member ? member->rk.get() : nullptr;
        if (!rk) {
            auto client = impl_->NewGroupClient(group);
            if (!client) return Fail(client.error());
            helper = std::move(*client);
            rk = helper.get();
        }
        PartitionList list = OneOffset(topic, partition, kUnset);
        const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list.get(), options_.request_timeout_ms);
        if (helper) rd_kafka_destroy_flags(helper.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        if (err || list->elems[0].err) {
            return Fail(Code::kUnavailable, impl_->Unreachable("no committed offset for group " + GroupId(group) +
                                                               ": " + ErrorText(err ? err : list->elems[0].err)));
        }
        committed = list->elems[0].offset;
    }
    if (committed >= 0) return committed;
    return StartOffset(topic, partition);  // never committed: auto.offset.reset=earliest
}

Status KafkaEventLog::Commit(std::string_view group, std::string_view topic, int partition, int64_t next_offset) {
    impl_->Serve();
    if (Impl::Member* member = impl_->FindMember(group, topic)) {
        // No longer ours: the new owner goes on from the group's last commit (the inbox absorbs a redelivery).
        if (std::ranges::find(member->owned, partition) == member->owned.end()) return Ok();
        // Given away and back since the consumer last asked: its offset may be behind the other
        // owner's commits; skip this one (a later commit, after Heartbeat refreshed, moves on).
        if (member->assignment_changed) return Ok();
        auto [it, inserted] = member->committed.try_emplace(partition, kUnset);
        if (it->second != kUnset && next_offset <= it->second) return Ok();
        PartitionList list = OneOffset(topic, partition, next_offset);
        if (const rd_kafka_resp_err_t err = rd_kafka_commit(member->rk.get(), list.get(), 1)) {
            return Fail(Code::kUnavailable,
                        impl_->Unreachable("cannot commit offset of group " + GroupId(group) + ": " + ErrorText(err)));
        }
        it->second = next_offset;
        return Ok();
    }
    // Not a member here: a standalone commit (a group with live members refuses it).
    auto helper = impl_->NewGroupClient(group);
    if (!helper) return Fail(helper.error());
    PartitionList list = OneOffset(topic, partition, kUnset);
    Status st = Ok();
    if (const rd_kafka_resp_err_t err = rd_kafka_committed(helper->get(), list.get(), options_.request_timeout_ms)) {
        st = Fail(Code::kUnavailable,
                  impl_->Unreachable("no committed offset for group " + GroupId(group) + ": " + ErrorText(err)));
    } else if (list->elems[0].offset < next_offset) {
        list->elems[0].offset = next_offset;
        st = impl_->CommitAndWait(helper->get(), list.get(), group);
    }
    rd_kafka_destroy_flags(helper->release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    return st;
}

Result<int64_t> KafkaEventLog::EndOffset(std::string_view topic, int partition) {
    impl_->Serve();
    const Impl::Key key{std::string(topic), partition};
    int64_t mine = 0;
    if (auto it = impl_->appended_end.find(key); it != impl_->appended_end.end()) mine = it->second;
    // A partition the reader follows has a fresh high watermark from every fetch response.
    if (auto it = impl_->reader_parts.find(key); it != impl_->reader_parts.end() && it->second.started) {
        int64_t low = 0, high = 0;
        if (!rd_kafka_get_watermark_offsets(impl_->reader.get(), key.first.c_str(), partition, &low, &high) &&
            high >= 0) {
            return std::max(high, mine);
        }
    }
    if (auto it = impl_->marks.find(key);
        it != impl_->marks.end() && it->second.high >= 0 && SteadyMs() - it->second.high_at < kEndOffsetTtlMs) {
        return std::max(it->second.high, mine);
    }
    auto m = impl_->QueryMarks(key.first, partition, options_.query_timeout_ms);
    if (!m) return Fail(m.error());
    return std::max(m->high, mine);
}

Result<int64_t> KafkaEventLog::StartOffset(std::string_view topic, int partition) {
    impl_->Serve();
    return impl_->Low(std::string(topic), partition);
}

int KafkaEventLog::Partitions(std::string_view topic) {
    auto n = impl_->EnsureTopic(topic, options_.partitions, false);
    if (!n) {
        log::Debug("topic partitions unknown for now, using the configured count",
                   {{"topic", topic}, {"error", n.error().message}});
        return options_.partitions;
    }
    return *n;
}

Result<std::vector<int>> KafkaEventLog::Heartbeat(std::string_view group, std::string_view topic,
                                                  std::string_view member_id) {
    if (auto n = impl_->EnsureTopic(topic, options_.partitions, false); !n) return Fail(n.error());
    auto member = impl_->GetMember(group, topic, member_id);
    if (!member) return Fail(member.error());
    impl_->Serve();
    if (!impl_->fatal.empty())
        return Fail(Code::kUnavailable, impl_->Unreachable("Kafka client failed: " + impl_->fatal));
    if ((*member)->assignment_changed) {
        if (auto st = impl_->RefreshAssignment(**member); !st) return Fail(st.error());
    }
    return (*member)->owned;
}

void KafkaEventLog::Leave(std::string_view group, std::string_view member_id) {
    auto& members = impl_->members;
    for (auto it = members.begin(); it != members.end();) {
        if ((*it)->group == group && (*it)->member_id == member_id) {
            impl_->CloseMember(**it, true);
            it = members.erase(it);
        } else {
            ++it;
        }
    }
}

Status KafkaEventLog::Check() {
    impl_->Serve();
    if (!impl_->fatal.empty())
        return Fail(Code::kUnavailable, impl_->Unreachable("Kafka client failed: " + impl_->fatal));
    if (impl_->brokers_down) {
        return Fail(Code::kUnavailable,
                    "all Kafka brokers are unreachable (" + options_.brokers + "): " + impl_->down_reason);
    }
    return Ok();
}

Result<std::optional<StoreRecord>> KafkaEventLog::KnownStore(std::string_view service) {
    const std::string& topic = options_.stores_topic;
    if (auto n = impl_->EnsureTopic(topic, 1, true); !n) return Fail(n.error());
    auto marks = impl_->QueryMarks(topic, 0, options_.request_timeout_ms);
    if (!marks) return Fail(marks.error());
    std::optional<StoreRecord> known;
    if (marks->high <= marks->low) return known;
    // Read the whole (compacted) topic once; the last record of the key wins.
    Impl::ReaderPartition& part = impl_->reader_parts[{topic, 0}];
    if (auto st = impl_->Restart(topic, 0, part, marks->low); !st) return Fail(st.error());
    rd_kafka_topic_t* rkt = impl_->ReaderTopic(topic);
    int64_t next = marks->low;
    Status status = Ok();
    for (const int64_t deadline = SteadyMs() + options_.request_timeout_ms; next < marks->high;) {
        if (SteadyMs() >= deadline) {
            status = Fail(Code::kUnavailable, impl_->Unreachable("reading topic " + topic + " timed out"));
            break;
        }
        rd_kafka_message_t* raw[64];
        const ssize_t n = rd_kafka_consume_batch(rkt, 0, 50, raw, 64);
        for (ssize_t i = 0; i < n; ++i) {
            Message m(raw[i]);
            if (m->err) continue;
            next = std::max(next, m->offset + 1);
            if (!m->key || std::string_view(static_cast<const char*>(m->key), m->key_len) != service) continue;
            if (!m->payload) {
                known.reset();  // a tombstone
                continue;
            }
            auto value = json::ParseObject(std::string_view(static_cast<const char*>(m->payload), m->len));
            const bj::value* id = value ? value->if_contains("storeId") : nullptr;
            const bj::value* version = value ? value->if_contains("viewVersion") : nullptr;
            if (!id || !id->is_string() || !version || !version->is_int64()) {
                log::Warn("ignoring an unreadable store record", {{"topic", topic}, {"service", service}});
                continue;
            }
            known = StoreRecord{.store_id = std::string(id->get_string()),
                                .view_version = static_cast<int>(version->get_int64())};
        }
    }
    (void)rd_kafka_consume_stop(rkt, 0);
    part.started = false;
    if (!status) return Fail(status.error());
    return known;
}

Status KafkaEventLog::AdoptStore(std::string_view service, const StoreRecord& store, std::string_view topic,
                                 bool replay) {
    impl_->Serve();
    if (replay) {
        // The group's offsets go back first: a crash in between replays again at the next start.
        auto offsets = impl_->StartOffsets(std::string(topic));
        if (!offsets) return Fail(offsets.error());
        auto helper = impl_->NewGroupClient(service);
        if (!helper) return Fail(helper.error());
        Status st = impl_->CommitAndWait(helper->get(), offsets->get(), service);
        rd_kafka_destroy_flags(helper->release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        if (!st && st.error().code == Code::kFailedPrecondition) {
            // Only a member may commit now: this process does it once it is one (Heartbeat), then records the
            // store. Until then a crash leaves the old store record, so the next start replays again.
            log::Info("replay deferred until this process joins the consumer group",
                      {{"group", GroupId(service)}, {"reason", st.error().message}});
            std::erase_if(impl_->pending_resets,
                          [&](const Impl::PendingReset& r) { return r.group == service && r.topic == topic; });
            impl_->pending_resets.push_back({std::string(service), std::string(topic), store});
            if (Impl::Member* member = impl_->FindMember(service, topic)) member->assignment_changed = true;
            return Ok();
        }
        if (!st) return st;
        if (Impl::Member* member = impl_->FindMember(service, topic)) member->assignment_changed = true;
    }
    return impl_->WriteStore(service, store);
}

int64_t KafkaEventLog::Version() {
    impl_->Serve();
    int64_t version = impl_->delivered + impl_->handed_out + impl_->rebalances;
    for (const auto& [key, part] : impl_->reader_parts) {
        if (part.started && part.queue) version += static_cast<int64_t>(rd_kafka_queue_length(part.queue.get()));
    }
    return version;
}

}  // namespace reservo::messaging
