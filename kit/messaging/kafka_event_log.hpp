// The EventLog port on Apache Kafka (librdkafka): the log of a distributed deployment, shared by the
// services of a system across machines. Topics, partitions, consumer groups and committed offsets are
// Kafka's own, so Kafka tools (kafka-consumer-groups, kcat) see what Reservo does.
//
//   auto log = messaging::KafkaEventLog::Open({.brokers = "kafka-0:9092,kafka-1:9092", .group_prefix = "vaccine"});
//   (*log)->Append("reservations", events);           // returns once the brokers acknowledged every event
//
// - Events are CloudEvents in Kafka's binary content mode: the record key is the subject (partition =
//   PartitionFor(subject), librdkafka's murmur2_random partitioner), the attributes are `ce_*` headers
//   and the value is the `data` JSON. The producer is idempotent (acks=all).
// - Consumer group "<group>" is the Kafka group "<group_prefix>.<group>", so two systems on one
//   cluster never share a group. Its consumer only keeps the membership (the partitions it is assigned
//   stay paused) and commits; records are read by a separate reader that keeps, per partition, the next
//   offset it hands out, so Fetch never waits for the network.
// - The store records (KnownStore/AdoptStore) live in a compacted topic "<group_prefix>.stores".
//
// librdkafka runs its own network threads, but its callbacks run on the caller's thread, inside its calls
// (Heartbeat, Fetch, Version, Check), which never wait for the network in steady state. Append waits for
// the acknowledgements at most append_wait_ms, then answers Unavailable and keeps the events in flight (an
// Append of the same events later waits for them instead of sending copies; fails at once when every
// broker is known down);
// topic creation, a rebalance's committed offsets and the store records (start-up) wait briefly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kit/messaging/event_log.hpp"

namespace reservo::messaging {

// Creates `topic` on a cluster that lacks the CreateTopics API (librdkafka's mock cluster).
using TopicCreator = std::function<Status(std::string_view topic, int partitions, int replication_factor)>;

struct KafkaEventLogOptions {
    std::string brokers;         // bootstrap servers, "host:9092,host2:9092"
    std::string group_prefix;    // e.g. the system's name; Kafka group id = "<group_prefix>.<group>"
    int partitions = 8;          // of the topics this log creates
    int replication_factor = 0;  // of the topics this log creates; 0 → min(3, brokers in the cluster)
    // librdkafka settings for every client (security.protocol, sasl.mechanisms, sasl.username, ...);
    // they override this adapter's defaults.
    std::map<std::string, std::string> client_settings;
    std::string stores_topic;        // empty → "<group_prefix>.stores"
    int session_timeout_ms = 10000;  // a member silent this long loses its partitions
    int message_timeout_ms = 5000;   // how long librdkafka tries to deliver an event before reporting it failed
    // How long an Append waits for the acknowledgements before answering Unavailable (the relay calls
    // again with the same events: those still in flight are waited for, not sent again).
    int append_wait_ms = 20;
    int request_timeout_ms = 5000;  // metadata, topic creation, committed offsets, store records
    int query_timeout_ms = 1000;    // a watermark query not answered from the reader's cache
    int unavailable_wait_ms = 100;  // how long an Append waits when every broker is known down
    // How long a broker may hold a fetch that finds nothing (a real one answers as soon as data comes;
    // the mock cluster always waits this long).
    int fetch_wait_max_ms = 100;
    TopicCreator create_topic;  // used when CreateTopics is unsupported; empty → broker auto-creation
};

class KafkaEventLog final : public EventLog {
  public:
    // Connects (fails with Unavailable when no broker answers the metadata request in time) and
    // creates the stores topic when missing.
    static Result<std::unique_ptr<KafkaEventLog>> Open(KafkaEventLogOptions options);
    ~KafkaEventLog() override;
    KafkaEventLog(const KafkaEventLog&) = delete;
    KafkaEventLog& operator=(const KafkaEventLog&) = delete;

    Status Append(std::string_view topic, std::span<const CloudEvent> events) override;
    Result<std::vector<Record>> Fetch(std::string_view topic, int partition, int64_t from_offset, int max) override;
    Result<int64_t> Committed(std::string_view group, std::string_view topic, int partition) override;
    Status Commit(std::string_view group, std::string_view topic, int partition, int64_t next_offset) override;
    Result<int64_t> EndOffset(std::string_view topic, int partition) override;
    Result<int64_t> StartOffset(std::string_view topic, int partition) override;
    int Partitions(std::string_view topic) override;
    Result<std::vector<int>> Heartbeat(std::string_view group, std::string_view topic,
                                       std::string_view member_id) override;
    void Leave(std::string_view group, std::string_view member_id) override;
    Status Check() override;
    Result<std::optional<StoreRecord>> KnownStore(std::string_view service) override;
    Status AdoptStore(std::string_view service, const StoreRecord& store, std::string_view topic, bool replay) override;
    int64_t Version() override;

    // The Kafka consumer group id of `group`.
    std::string GroupId(std::string_view group) const;
    const KafkaEventLogOptions& options() const { return options_; }

    class Impl;  // librdkafka's types stay out of this header

  private:
    explicit KafkaEventLog(KafkaEventLogOptions options);

    KafkaEventLogOptions options_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace reservo::messaging
