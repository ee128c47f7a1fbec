#include "kit/messaging/kafka_dev.hpp"

// clang-format off: rdkafka_mock.h must follow rdkafka.h
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
// clang-format on
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "kit/core/log.hpp"

namespace reservo::messaging {
namespace {

void LogCallback(const rd_kafka_t*, int level, const char* facility, const char* line) {
    if (level > 4) return;  // syslog levels: 4 = warning
    auto emit = level <= 3 ? log::Error : log::Warn;
    emit("librdkafka mock cluster", {{"facility", facility}, {"detail", line}});
}

int g_signal_pipe = -1;

extern "C" void OnSignal(int) {
    const char byte = 's';
    if (g_signal_pipe >= 0) (void)!::write(g_signal_pipe, &byte, 1);
}

}  // namespace

class MockKafkaCluster::Impl {
  public:
    ~Impl() {
        if (cluster) rd_kafka_mock_cluster_destroy(cluster);
        if (rk) rd_kafka_destroy(rk);
    }
    rd_kafka_t* rk = nullptr;  // the mock cluster's owner; otherwise unused
    rd_kafka_mock_cluster_t* cluster = nullptr;
    int brokers = 0;
};

MockKafkaCluster::MockKafkaCluster() : impl_(std::make_unique<Impl>()) {}
MockKafkaCluster::~MockKafkaCluster() = default;

Result<std::string> MockKafkaCluster::Start(int brokers) {
    if (impl_->cluster) return Fail(Code::kFailedPrecondition, "mock Kafka cluster already started");
    if (brokers <= 0) return Fail(Code::kInvalidArgument, "brokers must be positive");
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    (void)rd_kafka_conf_set(conf, "client.id", "reservo-kafka-dev", error, sizeof error);
    rd_kafka_conf_set_log_cb(conf, LogCallback);
    impl_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!impl_->rk) {
        rd_kafka_conf_destroy(conf);
        return Fail(Code::kInternal, std::string("mock Kafka cluster: ") + error);
    }
    impl_->cluster = rd_kafka_mock_cluster_new(impl_->rk, brokers);
    if (!impl_->cluster) return Fail(Code::kUnavailable, "mock Kafka cluster: cannot start its brokers");
    impl_->brokers = brokers;
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(impl_->cluster);
    return bootstraps_;
}

Status MockKafkaCluster::SetDown(bool down) {
    if (!impl_->cluster) return Fail(Code::kFailedPrecondition, "mock Kafka cluster not started");
    // Broker ids run from 1 to the broker count.
    for (int id = 1; id <= impl_->brokers; ++id) {
        const rd_kafka_resp_err_t err =
            down ? rd_kafka_mock_broker_set_down(impl_->cluster, id) : rd_kafka_mock_broker_set_up(impl_->cluster, id);
        if (err) return Fail(Code::kInternal, std::string("mock Kafka broker: ") + rd_kafka_err2str(err));
    }
    return Ok();
}

Status MockKafkaCluster::CreateTopic(std::string_view topic, int partitions, int replication_factor) {
    if (!impl_->cluster) return Fail(Code::kFailedPrecondition, "mock Kafka cluster not started");
    if (partitions <= 0) return Fail(Code::kInvalidArgument, "partitions must be positive");
    if (replication_factor <= 0) replication_factor = std::min(3, impl_->brokers);
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(impl_->cluster, std::string(topic).c_str(), partitions, replication_factor);
    if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        return Fail(Code::kInternal, "mock Kafka topic " + std::string(topic) + ": " + rd_kafka_err2str(err));
    }
    return Ok();
}

TopicCreator MockKafkaCluster::Creator() {
    return [this](std::string_view topic, int partitions, int replication_factor) {
        return CreateTopic(topic, partitions, replication_factor);
    };
}

int RunKafkaDev(int brokers) {
    MockKafkaCluster cluster;
    auto bootstraps = cluster.Start(brokers);
    if (!bootstraps) {
        std::cerr << "kafka-dev: " << bootstraps.error().message << "\n";
        return 1;
    }
    std::cout << "kafka-dev: librdkafka mock cluster (NOT durable, not for production) brokers=" << *bootstraps
              << std::endl;

    int fds[2];
    if (::pipe(fds) != 0) {
        std::cerr << "kafka-dev: pipe: " << std::strerror(errno) << "\n";
        return 1;
    }
    g_signal_pipe = fds[1];
    struct sigaction action {
    }, old_int{}, old_term{};
    action.sa_handler = OnSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int);
    ::sigaction(SIGTERM, &action, &old_term);

    std::string pending;
    bool done = false;
    // Commands come from stdin until its end; then (and for a background job on a terminal, which
    // must not read it) the cluster runs on until a signal.
    bool commands = !(::isatty(STDIN_FILENO) && ::tcgetpgrp(STDIN_FILENO) != ::getpgrp());
    while (!done) {
        pollfd watched[2] = {{.fd = commands ? STDIN_FILENO : -1, .events = POLLIN}, {.fd = fds[0], .events = POLLIN}};
        if (::poll(watched, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (watched[1].revents) break;  // SIGINT or SIGTERM
        if (!watched[0].revents) continue;
        char buffer[512];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {  // the end of stdin
            commands = false;
            continue;
        }
        pending.append(buffer, static_cast<size_t>(n));
        for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
            std::istringstream line(pending.substr(0, eol));
            pending.erase(0, eol + 1);
            std::string command, topic;
            int partitions = 0;
            line >> command;
            Status st = Ok();
            if (command == "down" || command == "up") {
                st = cluster.SetDown(command == "down");
            } else if (command == "topic" && (line >> topic >> partitions)) {
                st = cluster.CreateTopic(topic, partitions);
            } else if (command == "quit" || command == "exit") {
                done = true;
                continue;
            } else if (!command.empty()) {
                st = Fail(Code::kInvalidArgument, "unknown command (down, up, topic NAME PARTITIONS, quit)");
            } else {
                continue;
            }
            if (st) {
                std::cout << "kafka-dev: " << command << (topic.empty() ? "" : " " + topic) << " ok" << std::endl;
            } else {
                std::cout << "kafka-dev: " << command << ": " << st.error().message << std::endl;
            }
        }
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    g_signal_pipe = -1;
    ::close(fds[0]);
    ::close(fds[1]);
    return 0;
}

}  // namespace reservo::messaging
