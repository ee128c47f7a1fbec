#include "tests/contract/consumer_test.hpp"

#include <iostream>
#include <utility>

#include "kit/core/config.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::contract {

std::unique_ptr<Contract> ConsumerContractTest::contract_;
std::unique_ptr<StubProvider> ConsumerContractTest::stub_;
std::unique_ptr<e2e::ServedService> ConsumerContractTest::consumer_;
ConsumerSetup ConsumerContractTest::setup_;

namespace {

std::string ServiceOf(const std::string& target) { return target.substr(target.find('/') + 1); }

}  // namespace

void ConsumerContractTest::StartConsumer(const ConsumerSetup& setup) {
    setup_ = setup;
    auto loaded = LoadContract(e2e::SourceDir() + "/" + setup.contract);
    ASSERT_TRUE(loaded) << loaded.error().message;
    contract_ = std::make_unique<Contract>(std::move(*loaded));
    stub_ = std::make_unique<StubProvider>();
    ASSERT_GT(stub_->port(), 0);
    std::string error;
    // Where the consumer finds its provider: the URL a ConfigMap would set.
    const std::string url_key = "services." + ServiceOf(setup.consumer) + ".dependencies." + setup.dependency + ".url";
    consumer_ = e2e::ServedService::Start(
        {.target = setup.consumer,
         .env = {{Config::EnvName(url_key), "http://127.0.0.1:" + std::to_string(stub_->port())}}},
        &error);
    ASSERT_TRUE(consumer_) << error;
}

void ConsumerContractTest::TearDownTestSuite() {
    consumer_.reset();
    stub_.reset();
    contract_.reset();
}

void ConsumerContractTest::SetUp() { ASSERT_TRUE(contract_ && stub_ && consumer_) << "the suite did not start"; }

void ConsumerContractTest::TearDown() {
    if (HasFailure() && consumer_) {
        std::cerr << "---- " << ServiceOf(setup_.consumer) << "'s log\n" << consumer_->LogTail(30);
    }
}

e2e::Reply ConsumerContractTest::Exercise(std::string_view interaction, const std::function<e2e::Reply()>& call) {
    const Interaction* armed = contract_->Find(interaction);
    EXPECT_TRUE(armed) << contract_->file << " has no interaction \"" << interaction << "\"";
    if (!armed) return {};
    stub_->Arm(*armed);
    e2e::Reply reply = call();
    const std::string consumer = ServiceOf(setup_.consumer);
    auto seen = stub_->seen();
    EXPECT_FALSE(seen.empty()) << contract_->Where(*armed) << ": " << consumer << " did not call " << setup_.dependency
                               << "; it answered " << reply.Describe();
    for (const auto& s : seen) {
        for (const auto& m : s.mismatches) {
            ADD_FAILURE() << contract_->Where(*armed) << ": " << consumer << " sent " << s.request << ": " << m;
        }
    }
    EXPECT_EQ(seen.size(), 1u) << "one call per request to " << consumer;
    return reply;
}

bj::object ConsumerContractTest::StubAnswer(std::string_view interaction) {
    auto answer = ExampleResponse(contract_->Find(interaction)->response, stub_->vars());
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? bj::parse(answer->body).as_object() : bj::object();
}

void ConsumerContractTest::ExpectEveryInteractionCovered(
    const std::set<std::string_view>& exercised, const std::map<std::string_view, std::string_view>& provider_only) {
    for (const auto& i : contract_->interactions) {
        EXPECT_TRUE(exercised.contains(i.description) || provider_only.contains(i.description))
            << contract_->Where(i) << ": not exercised by " << ServiceOf(setup_.consumer)
            << "'s consumer test, nor explained";
    }
    for (auto name : exercised) EXPECT_TRUE(contract_->Find(name)) << "the contract lost \"" << name << "\"";
    for (const auto& [name, why] : provider_only) {
        EXPECT_TRUE(contract_->Find(name)) << "the contract lost \"" << name << "\"";
    }
}

int ConsumerContractTest::EventsOf(std::string_view type, int64_t subject) {
    auto log = store::SqliteDatabase::Open(consumer_->data_dir() + "/events.db");
    EXPECT_TRUE(log) << log.error().message;
    if (!log) return -1;
    static constexpr store::Sql kCount{"count_events", "SELECT count(*) FROM events WHERE type = ? AND subject = ?"};
    auto rows = (*log)->Query(kCount, {std::string(type), std::to_string(subject)});
    EXPECT_TRUE(rows && rows->size() == 1) << (rows ? "no row" : rows.error().message);
    return rows && rows->size() == 1 ? static_cast<int>(rows->front().Int(0)) : -1;
}

void ConsumerContractTest::SetNextId(std::string_view store_file, std::string_view table, int64_t id) {
    auto store = store::SqliteDatabase::Open(consumer_->data_dir() + "/" + std::string(store_file));
    ASSERT_TRUE(store) << store.error().message;
    static constexpr store::Sql kForget{"forget_sequence", "DELETE FROM sqlite_sequence WHERE name = ?"};
    static constexpr store::Sql kSequence{"set_sequence", "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)"};
    ASSERT_TRUE((*store)->Execute(kForget, {std::string(table)}));
    ASSERT_TRUE((*store)->Execute(kSequence, {std::string(table), id - 1}));
}

}  // namespace reservo::contract
