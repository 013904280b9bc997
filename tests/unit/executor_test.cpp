#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "hpopt/cluster/executor.hpp"

using namespace hpopt;

namespace {

// Reports two epochs, then trains until released or interrupted, as a workload that looks at
// nothing else would.
class GatedWorkload : public workload::Workload {
public:
    std::string fom_name() const override { return "gated"; }
    double evaluate(const space::Params&, const workload::TrialContext& context) override {
        context.report_epoch(1, 0.5, nullptr);
        context.report_epoch(2, 0.25, nullptr);
        while (!released) {
            if (heeds_interruption && context.interrupted()) throw workload::TrialInterrupted("interrupted in epoch 3");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return 0.125;
    }
    std::atomic<bool> released{false};
    bool heeds_interruption = true;
};

const journal::Trial trial{4, {{"x", 1}}, {0.5}, 9};

// Waits like the coordinator, collecting what comes: epochs as they are reported, then the result.
std::optional<cluster::Finished> wait_up_to(cluster::Executor& executor, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (auto finished = executor.wait(0.05)) return finished;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("a trial in this process runs on a thread of its own: waiting returns at its time-out, epochs before the result") {
    GatedWorkload workload;
    cluster::InProcessExecutor executor(workload, 1, std::nullopt);
    std::vector<std::int64_t> epochs;
    executor.report_epochs_to([&](const journal::EpochReport& report) { epochs.push_back(report.epoch); });
    executor.start(0, trial);
    const auto before = std::chrono::steady_clock::now();
    CHECK_FALSE(wait_up_to(executor, 0.3));
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(2));
    CHECK(epochs == std::vector<std::int64_t>{1, 2});
    workload.released = true;
    const auto finished = wait_up_to(executor, 10);
    REQUIRE(finished);
    CHECK(finished->group == 0);
    CHECK(finished->result.fom == 0.125);
    CHECK(finished->result.epoch_foms == std::vector<std::vector<double>>{{0.5, 0.25}});
}

TEST_CASE("an interruption reaches the running trial, which reports back as interrupted") {
    GatedWorkload workload;
    cluster::InProcessExecutor executor(workload, 1, std::nullopt);
    executor.start(0, trial);
    CHECK_FALSE(executor.wait(0.05));
    executor.interrupt();
    const auto finished = wait_up_to(executor, 10);
    REQUIRE(finished);
    CHECK(finished->result.status == journal::TrialStatus::interrupted);
    CHECK(finished->result.reason == "interrupted in epoch 3");
}

TEST_CASE("a trial given up as hung keeps its thread, and the executor can go") {
    static GatedWorkload workload;  // outlives the test: the abandoned thread still runs it
    workload.heeds_interruption = false;
    {
        cluster::InProcessExecutor executor(workload, 1, 0.05);
        executor.start(0, trial);
        executor.interrupt();
        CHECK_FALSE(wait_up_to(executor, 0.3));  // past its deadline, deaf to the interruption
        executor.abandon(0);
        CHECK_FALSE(executor.wait(0));
    }
    workload.released = true;  // lets the thread end before the process does
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}
