#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "hpopt/cluster/suggestion_queue.hpp"

using namespace hpopt;
using cluster::Pending;
using cluster::SuggestionQueue;

namespace {

// Suggests 1, 2, 3, ... (nothing once `limit` were asked), slowly; counts what it was told and
// remembers how many points were pending at each ask.
class SlowCounter : public optim::Optimizer {
public:
    std::optional<optim::Point> ask(const std::vector<optim::Point>& pending) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (next_ > limit) return std::nullopt;
        pending_seen.push_back(pending.size());
        told_when_asked.push_back(told);
        return optim::Point{static_cast<double>(next_++)};
    }
    void tell(const optim::Evaluation&) override { ++told; }
    Json save() const override { return {}; }
    void load(const Json&) override {}

    int limit = 1000;
    int told = 0;
    std::vector<std::size_t> pending_seen;
    std::vector<int> told_when_asked;

private:
    int next_ = 1;
};

SuggestionQueue queue_on_thread(optim::Optimizer& optimizer) {
    return SuggestionQueue(optimizer, std::make_unique<cluster::ThreadWorker>(), [] { return std::chrono::steady_clock::now(); });
}

void wait_for_batch(SuggestionQueue& queue) {
    while (queue.asking()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        queue.collect();
    }
}

}  // namespace

TEST_CASE("a batch is asked beside the caller; results told meanwhile reach the optimizer after it") {
    SlowCounter optimizer;
    SuggestionQueue queue = queue_on_thread(optimizer);
    queue.tell({{0.5}, 1.0});  // nothing being asked: told at once
    CHECK(optimizer.told == 1);

    queue.ask(3, Pending{{7, 8}, {{0.7}, {0.8}}}, 10);
    CHECK(queue.asking());
    queue.tell({{0.6}, 2.0});  // while the batch is asked: it waits
    CHECK(queue.ready() == 0);
    wait_for_batch(queue);
    CHECK(optimizer.told == 2);
    CHECK(optimizer.told_when_asked == std::vector<int>{1, 1, 1});
    CHECK(optimizer.pending_seen == std::vector<std::size_t>{2, 3, 4});  // the running ones, then the batch's earlier
    REQUIRE(queue.ready() == 3);

    // The next batch counts the ready suggestions as pending, numbered as the trials they become.
    queue.ask(1, Pending{{7}, {{0.7}}}, 10);
    wait_for_batch(queue);
    const auto first = queue.pop();
    REQUIRE(first);
    CHECK(first->point == optim::Point{1});
    CHECK(first->asked.told == 1);
    CHECK(first->asked.pending == std::vector<std::int64_t>{7, 8});
    CHECK_FALSE(queue.pop()->asked.pending);  // the batch's first alone lists them
    queue.pop();
    const auto fourth = queue.pop();
    REQUIRE(fourth);
    CHECK(fourth->asked.told == 2);
    // Pending 7, 10, 11, 12: told as what changed since the last batch's 7 and 8.
    CHECK_FALSE(fourth->asked.pending);
    REQUIRE(fourth->asked.pending_change);
    CHECK(fourth->asked.pending_change->added == std::vector<std::int64_t>{10, 11, 12});
    CHECK(fourth->asked.pending_change->removed == std::vector<std::int64_t>{8});
    CHECK(queue.model_s() > 0.07);
    CHECK(queue.suggested() == 4);
}

TEST_CASE("a queue whose optimizer gave fewer than asked is dry until it is told something") {
    SlowCounter optimizer;
    optimizer.limit = 2;
    SuggestionQueue queue = queue_on_thread(optimizer);
    queue.ask(5, {}, 0);
    wait_for_batch(queue);
    CHECK(queue.ready() == 2);
    CHECK(queue.dry());
    queue.tell({{1.0}, 1.0});
    CHECK_FALSE(queue.dry());
}

TEST_CASE("what the optimizer throws while asking reaches the caller") {
    struct Throwing : SlowCounter {
        std::optional<optim::Point> ask(const std::vector<optim::Point>&) override { throw std::runtime_error("model broke"); }
    } optimizer;
    SuggestionQueue queue = queue_on_thread(optimizer);
    queue.ask(1, {}, 0);
    std::string thrown;
    for (int i = 0; i < 5000 && thrown.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        try {
            queue.collect();
        } catch (const std::runtime_error& error) {
            thrown = error.what();
        }
    }
    CHECK(thrown == "model broke");
    CHECK_FALSE(queue.asking());
}
