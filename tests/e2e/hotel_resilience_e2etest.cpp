// End-to-end resilience of system `hotel` (seed 002), as the vaccine suites prove it for vaccine:
// services SIGKILLed in the middle of a load of reservations and cancellations, replicas of the
// consumers (reservation-view, room) splitting the events, and rolling restarts under load.
//
// Every test books its own rooms under its own user id and, once the consumers caught up, checks
// that every count agrees (ExpectConsistent): each reservation has one payment (PayCompleted while
// it is Completed, PayCanceled once CancelCompleted), every other payment was voided, the view has
// each reservation once and as it is, the rooms' charges are the completed reservations (Free for
// the canceled ones), no two completed stays of a room share a night, and what the clients were
// answered matches what is stored.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/hotel_helpers.hpp"
#include "tests/e2e/load_tally.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kPrice = kRoomPrice;
constexpr int kRooms = 5;  // per test; with every 4th ask an overlap, each room gets some

// "YYYY-MM-DD", `offset` days after 2031-01-01.
std::string Day(int offset) {
    using namespace std::chrono;
    year_month_day d{sys_days{year{2031} / January / 1} + days{offset}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return text;
}

// The stays a load asks for: two nights, three days apart per room, the rooms in turn; every
// fourth ask overlaps the previous stay asked for its room (refused with 409 unless that one was
// not made or was canceled).
class StayPlan {
  public:
    struct Ask {
        int64_t room = 0;
        std::string start, end;
    };

    explicit StayPlan(std::vector<int64_t> rooms) : rooms_(std::move(rooms)), slots_(rooms_.size(), 0) {}

    Ask Next() {
        size_t r = n_ % rooms_.size();
        ++n_;
        int& slot = slots_[r];
        if (n_ % 4 == 0 && slot > 0) {
            int start = (slot - 1) * 3 + 1;
            return {rooms_[r], Day(start), Day(start + 2)};
        }
        int start = slot++ * 3;
        return {rooms_[r], Day(start), Day(start + 2)};
    }

  private:
    std::vector<int64_t> rooms_;
    std::vector<int> slots_;
    size_t n_ = 0;
};

// What the clients of a load were answered (the tally), and which reservations they were told of.
// Touched only by the load's own thread until it stops.
struct LoadRecord : LoadTally {
    std::set<int64_t> created;       // answered 201
    std::set<int64_t> cancel_asked;  // PATCH CancelRequest sent, whatever the answer
    std::set<int64_t> canceled;      // PATCH answered 200
    int turn = 0;
};

// Which answers a load accepts: under a crash, 503 (circuit open, dependency down) and 504 (lost
// in flight: outcome unknown) are honest; under a rolling restart nothing but success and 409.
// (kAnswersUnderCrash and kAnswersUnderRestart, with a POST's 409 for an overlapping stay.)
const AllowedAnswers kUnderCrash{{201, 409, 503, 504}, {200, 503, 504}, {200, 503, 504}};
const AllowedAnswers kUnderRestart{{201, 409}, {200}, {200}};

// Everything stored about one test's user and rooms.
struct Snapshot {
    std::map<int64_t, bj::object> reservations;           // by id
    std::map<int64_t, std::vector<bj::object>> payments;  // by reservationId
    std::map<int64_t, std::vector<bj::object>> views;     // by reservationId
    std::map<int64_t, std::vector<bj::object>> charges;   // by reservationId
    std::map<int64_t, std::string> room_status;

    int Count(std::string_view status) const {
        int n = 0;
        for (const auto& [id, r] : reservations) n += Str(r, "reservStatus") == status;
        return n;
    }
};

class HotelResilienceE2E : public HotelTest {
  protected:
    // A step left pending by a crashed reservation is aborted (its payment voided) after
    // abandon-after-ms; 6 s instead of 30 keeps the wait short and is still longer than any live
    // request (the gateway gives up after 5 s).
    static void SetUpTestSuite() {
        StartSystem({.system = "hotel", .env = {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "6000"}}});
    }

    // Registers `count` rooms and waits until reservation knows them.
    std::vector<int64_t> RegisterRooms(int count) {
        std::vector<int64_t> rooms;
        for (int i = 0; i < count; ++i) {
            bj::object room{{"roomNo", RoomNo()}, {"roomSize", "Twin"}, {"amenityInfo", "wifi"}, {"price", kPrice}};
            Reply r = Call("POST", "/roomInfos", bj::serialize(room));
            EXPECT_EQ(r.status, 201) << r.Describe();
            if (r.status != 201) return {};
            rooms.push_back(AsInt(r.Json().as_object().at("id")));
        }
        EXPECT_TRUE(Eventually([&] { return Settled("room", "reservation"); }))
            << "reservation did not learn the rooms";
        return rooms;
    }

    // Every outbox relayed and every consumer (one replica each) done.
    bool AllSettled() {
        return SystemTest::AllSettled({"room", "reservation", "payment"},
                                      {"reservation", "payment", "room", "reservation-view"});
    }

    std::optional<Snapshot> Take(const std::string& user, const std::vector<int64_t>& rooms) {
        Snapshot s;
        auto reservations = TryListAll(gateway(), "/reservations/search/findByUserId?userId=" + user, "reservations");
        auto payments = TryListAll(gateway(), "/payments/search/findByUserId?userId=" + user, "payments");
        auto views = TryListAll(gateway(), "/reservationViews/search/findByUserId?userId=" + user, "reservationViews");
        if (!reservations || !payments || !views) return std::nullopt;
        for (auto& r : *reservations) s.reservations[Int(r, "id")] = r;
        for (auto& p : *payments) s.payments[Int(p, "reservationId")].push_back(p);
        for (auto& v : *views) s.views[Int(v, "reservationId")].push_back(v);
        for (int64_t room : rooms) {
            std::string id = std::to_string(room);
            auto charges = TryListAll(gateway(), "/roomCharges/search/findByRoomId?roomId=" + id, "roomCharges");
            Reply info = Call("GET", "/roomInfos/" + id);
            bj::value v = info.Json();
            if (!charges || info.status != 200 || !v.is_object()) return std::nullopt;
            for (auto& c : *charges) s.charges[Int(c, "reservationId")].push_back(c);
            s.room_status[room] = Str(v.as_object(), "roomStatus");
        }
        return s;
    }

    // Every disagreement between the stores, and between them and what the clients were answered.
    static std::vector<std::string> Problems(const Snapshot& s, const LoadRecord& rec) {
        std::vector<std::string> out;
        auto say = [&](int64_t id, const std::string& what) {
            out.push_back("reservation " + std::to_string(id) + ": " + what);
        };
        std::map<int64_t, std::vector<std::pair<std::string, std::string>>> booked;  // completed stays per room
        for (const auto& [id, r] : s.reservations) {
            std::string status = Str(r, "reservStatus");
            std::string paid = Str(r, "payStatus");
            if (status == "Completed") {
                if (paid != "PayCompleted") say(id, "Completed but " + paid);
                booked[Int(r, "roomId")].emplace_back(Str(r, "reservStartDate"), Str(r, "reservEndDate"));
            } else if (status == "CancelCompleted") {
                if (paid != "PayCanceled") say(id, "CancelCompleted but " + paid);
            } else {
                say(id, "still " + status);
            }
            // One payment, in step with the reservation.
            auto p = s.payments.find(id);
            if (p == s.payments.end() || p->second.size() != 1) {
                say(id, std::to_string(p == s.payments.end() ? 0 : p->second.size()) + " payments");
            } else {
                const bj::object& pay = p->second[0];
                if (Str(pay, "payStatus") != paid) say(id, "payment is " + Str(pay, "payStatus") + ", not " + paid);
                if (Int(pay, "amount") != Int(r, "amount")) say(id, "payment amount " + Str(pay, "amount"));
            }
            // One view row, as the reservation is.
            auto v = s.views.find(id);
            if (v == s.views.end() || v->second.size() != 1) {
                say(id, std::to_string(v == s.views.end() ? 0 : v->second.size()) + " view rows");
            } else {
                const bj::object& row = v->second[0];
                for (std::string_view field :
                     {"reservStatus", "payStatus", "roomId", "reservStartDate", "reservEndDate", "amount"}) {
                    if (Str(row, field) != Str(r, field)) {
                        say(id, "view " + std::string(field) + " " + Str(row, field) + " != " + Str(r, field));
                    }
                }
            }
            // One charge on the room: Charged while completed, Free once canceled.
            auto c = s.charges.find(id);
            std::string want = status == "Completed" ? "Charged" : "Free";
            if (c == s.charges.end() || c->second.size() != 1) {
                say(id, std::to_string(c == s.charges.end() ? 0 : c->second.size()) + " room charges");
            } else if (Str(c->second[0], "chargeStatus") != want) {
                say(id, "charge " + Str(c->second[0], "chargeStatus") + ", want " + want);
            } else if (Int(c->second[0], "roomId") != Int(r, "roomId")) {
                say(id, "charged on room " + Str(c->second[0], "roomId"));
            }
        }
        // Nothing paid, viewed or charged for a reservation that does not exist; what was paid for
        // one that was never made is voided.
        for (const auto& [id, list] : s.payments) {
            if (s.reservations.contains(id)) continue;
            for (const auto& p : list) {
                if (Str(p, "payStatus") != "PayVoided")
                    say(id, "not stored, but its payment is " + Str(p, "payStatus"));
            }
        }
        for (const auto& [id, rows] : s.views) {
            if (!s.reservations.contains(id))
                say(id, "not stored, but has " + std::to_string(rows.size()) + " view rows");
        }
        for (const auto& [id, rows] : s.charges) {
            if (!s.reservations.contains(id))
                say(id, "not stored, but has " + std::to_string(rows.size()) + " charges");
        }
        // No night sold twice; a room is Charged while a completed stay holds it.
        for (auto& [room, stays] : booked) {
            std::sort(stays.begin(), stays.end());
            for (size_t i = 1; i < stays.size(); ++i) {
                if (stays[i].first < stays[i - 1].second) {
                    out.push_back("room " + std::to_string(room) + " booked twice: " + stays[i - 1].first + ".." +
                                  stays[i - 1].second + " and " + stays[i].first + ".." + stays[i].second);
                }
            }
        }
        for (const auto& [room, status] : s.room_status) {
            std::string want = booked.contains(room) ? "Charged" : "Empty";
            if (status != want) out.push_back("room " + std::to_string(room) + " is " + status + ", want " + want);
        }
        // What the clients were told holds.
        for (int64_t id : rec.created) {
            auto r = s.reservations.find(id);
            if (r == s.reservations.end()) {
                say(id, "answered 201 but not stored");
            } else if (rec.canceled.contains(id) && Str(r->second, "reservStatus") != "CancelCompleted") {
                say(id, "cancel answered 200 but " + Str(r->second, "reservStatus"));
            } else if (!rec.cancel_asked.contains(id) && Str(r->second, "reservStatus") != "Completed") {
                say(id, "never canceled but " + Str(r->second, "reservStatus"));
            }
        }
        int unanswered = 0;
        for (const auto& [id, r] : s.reservations) unanswered += !rec.created.contains(id);
        if (unanswered > rec.Unknown("POST")) {
            out.push_back(std::to_string(unanswered) + " reservations stored without a 201, but only " +
                          std::to_string(rec.Unknown("POST")) + " POSTs had an unknown outcome");
        }
        return out;
    }

    // Waits (bounded) until `settled` and the stores agree, then checks it exactly.
    void ExpectConsistent(const std::string& user, const std::vector<int64_t>& rooms, const LoadRecord& rec,
                          const std::function<bool()>& settled) {
        std::optional<Snapshot> snap;
        std::vector<std::string> problems{"never looked"};
        bool agreed = Eventually(
            [&] {
                if (!settled()) return false;
                snap = Take(user, rooms);
                if (!snap) return false;
                problems = Problems(*snap, rec);
                return problems.empty();
            },
            40s, 250ms);
        EXPECT_TRUE(agreed) << problems.size() << " problems, the first: " << problems.front();
        for (size_t i = 0; i < problems.size() && i < 20; ++i) ADD_FAILURE() << problems[i];
        ASSERT_TRUE(snap);
        int voided = 0;
        for (const auto& [id, list] : snap->payments) {
            for (const auto& p : list) voided += Str(p, "payStatus") == "PayVoided";
        }
        std::cout << "[   info   ] " << snap->reservations.size() << " reservations: " << snap->Count("Completed")
                  << " completed, " << snap->Count("CancelCompleted") << " canceled; " << voided
                  << " payments voided\n";
        EXPECT_GT(snap->Count("Completed"), 0);
        // No event was parked on the way.
        ExpectNoDeadLetters();
    }

    void ExpectConsistent(const std::string& user, const std::vector<int64_t>& rooms, const LoadRecord& rec) {
        ExpectConsistent(user, rooms, rec, [this] { return AllSettled(); });
    }

    // A load step: reserve the plan's next stay; cancel every third reservation made, read the others.
    static LoadLoop::Step Step(int gw, const std::string& user, StayPlan& plan, LoadRecord& rec,
                               const AllowedAnswers& ok) {
        return [gw, user, &plan, &rec, &ok](Http& http, int) -> Awaitable<void> {
            StayPlan::Ask ask = plan.Next();
            Reply post =
                co_await http.Send(gw, "POST", "/reservations", ReservationBody(ask.room, user, ask.start, ask.end));
            rec.Count("POST", post, ok.post);
            if (post.status == 409 && post.Header("Content-Type") != "application/problem+json") {
                rec.failures.push_back("409 without problem+json: " + post.Describe());
            }
            if (post.status != 201) co_return;
            int64_t id = AsInt(post.Json().as_object()["id"]);
            rec.created.insert(id);
            std::string path = "/reservations/" + std::to_string(id);
            if (++rec.turn % 3 == 0) {
                rec.cancel_asked.insert(id);
                Reply patch = co_await http.Send(gw, "PATCH", path, R"({"reservStatus":"CancelRequest"})");
                rec.Count("PATCH", patch, ok.patch, "PATCH " + path);
                if (patch.status == 200) rec.canceled.insert(id);
            } else {
                Reply get = co_await http.Send(gw, "GET", path);
                rec.Count("GET", get, ok.get, "GET " + path);
            }
        };
    }

    // Runs a load, SIGKILLs `victims` mid-load, waits until the supervisor replaced them, keeps
    // the load going a while longer, then checks that every count agrees.
    void KillUnderLoad(const std::vector<std::string>& victims) {
        std::vector<int64_t> rooms = RegisterRooms(kRooms);
        ASSERT_EQ(rooms.size(), static_cast<size_t>(kRooms));
        std::string user = UniqueName("kill");
        std::map<std::string, std::vector<pid_t>> old_pids;
        std::map<std::string, int64_t> restarts;
        for (const auto& v : victims) {
            old_pids[v] = system().Pids(v);
            ASSERT_EQ(old_pids[v].size(), 1u) << v;
            restarts[v] = AsInt(system().ServiceStatus(v)["restarts"]);
        }

        StayPlan plan(rooms);
        LoadRecord rec;
        {
            LoadLoop load(6, Step(gateway(), user, plan, rec, kUnderCrash), 5ms);
            ASSERT_TRUE(load.WaitSteps(20, 1s, 20s));
            for (const auto& v : victims) EXPECT_EQ(system().KillService(v, SIGKILL), old_pids[v]) << v;
            for (const auto& v : victims) {
                EXPECT_TRUE(system().WaitReplaced(v, old_pids[v], 20s)) << v << " was not restarted";
                EXPECT_GT(AsInt(system().ServiceStatus(v)["restarts"]), restarts[v]) << v;
            }
            EXPECT_TRUE(load.WaitSteps(40, 1500ms, 20s));
            load.Stop();
        }
        std::cout << "[   info   ] " << rec.Summary() << "\n";
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
        EXPECT_EQ(rec.Answers("POST", 0), 0) << "transport errors: the gateway was never down; " << rec.Summary();
        EXPECT_GT(rec.Answers("POST", 201), 0) << rec.Summary();

        // Reservations work again (a circuit may need its open wait first).
        Reply again;
        EXPECT_TRUE(Eventually(
            [&] {
                StayPlan::Ask fresh = plan.Next();
                again = Call("POST", "/reservations", ReservationBody(fresh.room, user, fresh.start, fresh.end));
                rec.Tally("POST", again);
                return again.status == 201;
            },
            15s, 200ms))
            << again.Describe();
        if (again.status == 201) rec.created.insert(AsInt(again.Json().as_object()["id"]));

        ExpectConsistent(user, rooms, rec);
    }

    // Runs a near-continuous load across `reservo restart hotel/SERVICE`: no request may fail.
    void RestartUnderLoad(const std::string& service) {
        std::vector<int64_t> rooms = RegisterRooms(kRooms);
        ASSERT_EQ(rooms.size(), static_cast<size_t>(kRooms));
        std::string user = UniqueName("rolling");
        ASSERT_EQ(system().Pids(service).size(), 1u);

        StayPlan plan(rooms);
        LoadRecord rec;
        int64_t during = 0;
        {
            LoadLoop load(5, Step(gateway(), user, plan, rec, kUnderRestart), 1ms);
            during = RollingRestart(service, load);
        }
        ASSERT_GE(during, 0);
        std::cout << "[   info   ] " << rec.Summary() << "; " << during << " load steps during the restart\n";
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
        EXPECT_GT(rec.requests, 150) << rec.Summary();
        EXPECT_GT(rec.Answers("POST", 201), 0) << rec.Summary();
        EXPECT_GT(rec.Answers("PATCH", 200), 0) << rec.Summary();

        ExpectConsistent(user, rooms, rec);
    }
};

// NFR: a crashed reservation (the saga's owner) is restarted; whatever it was doing — a stay held,
// a payment asked for, a cancellation under way — ends consistently: every payment of a stay that
// was not stored is voided, nothing is lost or duplicated.
TEST_F(HotelResilienceE2E, KilledReservationIsRestartedAndEveryCountAgrees) { KillUnderLoad({"reservation"}); }

// NFR: a crashed payment (the synchronous dependency) and crashed consumers (room, the view) are
// restarted; what they missed or half did is caught up once.
TEST_F(HotelResilienceE2E, KilledPaymentRoomAndViewAreRestartedAndEveryCountAgrees) {
    KillUnderLoad({"payment", "room", "reservation-view"});
}

// NFR: replicas of a consumer split the partitions; each applies some of the events; no event has
// a second effect.
TEST_F(HotelResilienceE2E, TwoReplicasOfViewAndRoomSplitTheEventsWithoutDuplicates) {
    const std::vector<std::string> scaled = {"reservation-view", "room"};
    std::map<std::string, std::vector<pid_t>> pids;
    for (const auto& service : scaled) {
        ScaleService(service, 2);
        bj::object status = system().ServiceStatus(service);
        EXPECT_EQ(AsInt(status["replicas"]), 2) << bj::serialize(status);
        EXPECT_EQ(AsInt(status["ready"]), 2) << bj::serialize(status);
        pids[service] = system().Pids(service);
        ASSERT_EQ(pids[service].size(), 2u) << bj::serialize(status);
        EXPECT_NE(pids[service][0], pids[service][1]);
    }

    // Both replicas seen, each owning some partitions, together all, with nothing left to apply.
    std::map<std::string, std::map<int64_t, std::string>> seen;
    auto split = [&](const std::string& service) {
        seen[service] = ReplicaMetrics(service);
        return ReplicasSplit(seen[service], service);
    };
    std::map<std::string, std::map<int64_t, double>> processed_before;
    for (const auto& service : scaled) {
        ASSERT_TRUE(Eventually([&] { return split(service); }, 15s, 200ms))
            << service << ": replicas seen " << seen[service].size();
        for (auto& [pid, text] : seen[service]) {
            EXPECT_TRUE(std::find(pids[service].begin(), pids[service].end(), pid) != pids[service].end())
                << service << " pid " << pid;
            processed_before[service][pid] = GroupMetric(text, "consumer_processed_total", service);
        }
    }

    // Forty stays at once, all on free nights, then every fourth canceled.
    std::vector<int64_t> rooms = RegisterRooms(kRooms);
    ASSERT_EQ(rooms.size(), static_cast<size_t>(kRooms));
    std::string user = UniqueName("replicas");
    LoadRecord rec;
    std::vector<Reply> replies(40);
    http_.RunConcurrently(40, [&](int i) -> Awaitable<void> {
        int start = (i / kRooms) * 3;
        replies[i] = co_await http_.Send(gateway(), "POST", "/reservations",
                                         ReservationBody(rooms[i % kRooms], user, Day(start), Day(start + 2)));
    });
    std::vector<int64_t> ids;
    for (const Reply& r : replies) {
        rec.Tally("POST", r);
        ASSERT_EQ(r.status, 201) << r.Describe();
        ids.push_back(AsInt(r.Json().as_object().at("id")));
        rec.created.insert(ids.back());
    }
    std::vector<Reply> patches(ids.size() / 4);
    http_.RunConcurrently(static_cast<int>(patches.size()), [&](int i) -> Awaitable<void> {
        patches[i] = co_await http_.Send(gateway(), "PATCH", "/reservations/" + std::to_string(ids[4 * i]),
                                         R"({"reservStatus":"CancelRequest"})");
    });
    for (size_t i = 0; i < patches.size(); ++i) {
        EXPECT_EQ(patches[i].status, 200) << patches[i].Describe();
        rec.cancel_asked.insert(ids[4 * i]);
        if (patches[i].status == 200) rec.canceled.insert(ids[4 * i]);
    }

    // Each replica applied some of the events (each owns partitions the reservations' ids fall in).
    auto both_worked = [&] {
        for (const auto& service : scaled) {
            if (!split(service)) return false;
            for (auto& [pid, text] : seen[service]) {
                if (!processed_before[service].contains(pid)) return false;
                if (GroupMetric(text, "consumer_processed_total", service) <= processed_before[service][pid])
                    return false;
            }
        }
        return true;
    };
    EXPECT_TRUE(Eventually(both_worked, 15s, 200ms)) << "a replica applied nothing";
    for (const auto& service : scaled) {
        for (auto& [pid, text] : seen[service]) {
            std::cout << "[   info   ] " << service << " replica " << pid << ": owns "
                      << GroupMetric(text, "consumer_owned_partitions", service) << " partitions, applied "
                      << GroupMetric(text, "consumer_processed_total", service) - processed_before[service][pid]
                      << " events, skipped " << GroupMetric(text, "consumer_duplicates_total", service)
                      << " duplicates\n";
            EXPECT_EQ(GroupMetric(text, "dead_letters_total", service), 0) << service << " replica " << pid;
        }
    }

    // The stores agree while both replicas run: one view row and one charge per reservation.
    auto settled = [&] {
        return Settled("room", "reservation") && Settled("reservation", "payment") &&
               Settled("payment", "reservation") && split("reservation-view") && split("room");
    };
    ExpectConsistent(user, rooms, rec, settled);

    for (const auto& service : scaled) {
        ScaleService(service, 1);
        EXPECT_EQ(system().Pids(service).size(), 1u) << service;
    }
}

// NFR: zero-downtime rolling update of reservation, proven under load.
TEST_F(HotelResilienceE2E, RollingRestartOfReservationUnderLoadFailsNoRequest) { RestartUnderLoad("reservation"); }

// NFR: the same for payment, which reservation calls synchronously for every stay.
TEST_F(HotelResilienceE2E, RollingRestartOfPaymentUnderLoadFailsNoRequest) { RestartUnderLoad("payment"); }

}  // namespace
}  // namespace reservo::e2e
