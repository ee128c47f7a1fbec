// A Kafka cluster for development and tests: librdkafka's in-process mock cluster on loopback.
// It keeps everything in memory (NOT durable, not for production) and lacks some Kafka APIs (no
// CreateTopics: give KafkaEventLogOptions::create_topic = cluster.TopicCreator() in the same process).
//
//   messaging::MockKafkaCluster cluster;
//   std::string brokers = cluster.Start(3).value();   // "127.0.0.1:40123,127.0.0.1:40125,..."
//   cluster.SetDown(true);                            // every broker goes away...
//   cluster.SetDown(false);                           // ...and comes back, with its data
//
// `reservo kafka-dev [--brokers N]` runs RunKafkaDev: the cluster until SIGINT/SIGTERM or stdin's end.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kit/core/error.hpp"
#include "kit/messaging/kafka_event_log.hpp"

namespace reservo::messaging {

class MockKafkaCluster final {
  public:
    MockKafkaCluster();
    ~MockKafkaCluster();  // stops the cluster; its clients see every broker go down
    MockKafkaCluster(const MockKafkaCluster&) = delete;
    MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

    // Starts `brokers` brokers on 127.0.0.1 (random ports); returns the bootstrap list.
    Result<std::string> Start(int brokers = 3);
    const std::string& bootstraps() const { return bootstraps_; }
    // Every broker down (connections closed, new ones refused) or up again on the same ports.
    Status SetDown(bool down);
    // Creates a topic (the mock has no CreateTopics API); replication_factor <= 0 → min(3, brokers).
    Status CreateTopic(std::string_view topic, int partitions, int replication_factor = 0);
    // CreateTopic, for KafkaEventLogOptions::create_topic of logs in this process; valid while this lives.
    TopicCreator Creator();

    class Impl;

  private:
    std::unique_ptr<Impl> impl_;
    std::string bootstraps_;
};

// `reservo kafka-dev`: starts the mock cluster, prints one banner line to stdout
//   kafka-dev: librdkafka mock cluster (NOT durable, not for production) brokers=<bootstraps>
// then reads commands from stdin, one a line: `down`, `up` (all brokers), `topic NAME PARTITIONS`
// (creates a topic: the services' own creation falls back to the mock's default of 4 partitions).
// Returns 0 on SIGINT, SIGTERM or `quit` (after stdin's end it runs on until a signal); 1 when the
// cluster cannot start.
int RunKafkaDev(int brokers = 3);

}  // namespace reservo::messaging
