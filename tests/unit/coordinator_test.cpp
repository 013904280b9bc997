#include <doctest/doctest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>

#include "analytic_plugin.hpp"
#include "hpopt/cluster/coordinator.hpp"

using namespace hpopt;
namespace fs = std::filesystem;

namespace {

// Hands out points 0.01, 0.02, ... and logs each ask (with how many were pending) and tell.
class LoggingOptimizer : public optim::Optimizer {
public:
    std::optional<optim::Point> ask(const std::vector<optim::Point>& pending) override {
        log.push_back("ask " + std::to_string(pending.size()));
        next_ += 0.01;
        return optim::Point{next_, 0.5};
    }
    void tell(const optim::Evaluation&) override { log.push_back("tell"); }
    Json save() const override { return {}; }
    void load(const Json&) override {}

    std::vector<std::string> log;

private:
    double next_ = 0;
};

// `groups` groups whose trials finish in the order they started, each with the result
// `outcome` gives it (FoM 1 by default); logs starts and results. Every result is there at once
// unless `one_per_wait`. Once interrupted, the running trials report interrupted, or with
// `stubborn` never report again.
class QueueExecutor : public cluster::Executor {
public:
    using Outcome = std::function<journal::TrialResult(const journal::Trial&)>;
    QueueExecutor(int groups, std::vector<std::string>& log, Outcome outcome = {})
        : groups_(groups), log_(log), outcome_(std::move(outcome)) {}
    int groups() const override { return groups_; }
    void start(int group, const journal::Trial& trial) override {
        log_.push_back("start " + std::to_string(trial.id));
        running_.push_back({group, trial});
    }
    std::optional<cluster::Finished> wait(double timeout_s) override {
        if (running_.empty() || (interrupted_ && stubborn) || (one_per_wait && timeout_s == 0)) return std::nullopt;
        const auto [group, trial] = running_.front();
        running_.pop_front();
        log_.push_back("result " + std::to_string(trial.id));
        journal::TrialResult result;
        result.fom = 1.0;
        result.fold_foms = {1.0};
        if (outcome_) result = outcome_(trial);
        if (interrupted_) result.status = journal::TrialStatus::interrupted;
        return cluster::Finished{group, result};
    }
    void shutdown() override {}
    void interrupt() override { interrupted_ = true; }
    void stop_early(int, std::int64_t trial) override { log_.push_back("stop early " + std::to_string(trial)); }
    // Batches asked at once, so that the log's order is the coordinator's alone.
    std::unique_ptr<cluster::ModelWorker> model_worker() override { return std::make_unique<cluster::InlineWorker>(); }

    bool one_per_wait = false;
    bool stubborn = false;

private:
    int groups_;
    std::vector<std::string>& log_;
    Outcome outcome_;
    std::deque<std::pair<int, journal::Trial>> running_;
    bool interrupted_ = false;
};

spec::Spec spec_with_budget(const std::string& budget) {
    workload::Registry plugins;
    plugins.add(analytic::plugin());
    return spec::parse(Json::parse(R"({
        "space": {"x1": {"type": "real", "low": 0, "high": 1}, "x2": {"type": "real", "low": 0, "high": 1}},
        "optimizer": {"kind": "random"}, "budget": )" + budget + R"(,
        "workload": {"plugin": "analytic", "function": "branin"}})"), plugins, "test");
}

struct Ran {
    cluster::SearchOutcome outcome;
    std::vector<std::string> log;  // the optimizer's and the executor's, in order
    std::vector<Json> records;     // the journal's
};

// A search of `spec` through `executor`, in a fresh run dir; `setup` may hook into the coordinator.
Ran run_search(const spec::Spec& spec, LoggingOptimizer& optimizer, QueueExecutor& executor,
               const std::function<void(cluster::Coordinator&)>& setup = {}) {
    const fs::path dir = fs::temp_directory_path() / "hpopt_coordinator_test";
    fs::remove_all(dir);
    const journal::RunDirectory run_dir = journal::prepare_run_directory(dir, false);
    Ran ran;
    {
        journal::Journal journal(run_dir.journal());
        journal::ResultsFiles results(run_dir, spec.space);
        cluster::Coordinator coordinator(spec, optimizer, executor, journal, results, "f");
        if (setup) setup(coordinator);
        ran.outcome = coordinator.run("test");
    }
    ran.log = optimizer.log;
    std::ifstream lines(run_dir.journal());
    for (std::string line; std::getline(lines, line);) ran.records.push_back(Json::parse(line));
    fs::remove_all(dir);
    return ran;
}

std::vector<std::string> run(int groups, int trials) {
    LoggingOptimizer optimizer;
    QueueExecutor executor(groups, optimizer.log);
    const Ran ran = run_search(spec_with_budget(R"({"trials": )" + std::to_string(trials) + "}"), optimizer, executor);
    CHECK(ran.outcome.progress.finished == trials);
    return ran.log;
}

// The journal's records of `event`, as "trial" or "trial:attempt".
std::vector<std::string> events(const std::vector<Json>& records, const std::string& event) {
    std::vector<std::string> found;
    for (const Json& record : records) {
        if (record["event"] != event) continue;
        std::string entry = std::to_string(record["trial"].get<int>());
        if (record.contains("attempt")) entry += ":" + std::to_string(record["attempt"].get<int>());
        found.push_back(entry);
    }
    return found;
}

}  // namespace

TEST_CASE("with several groups, a suggestion is asked ahead of the groups that report") {
    // One batch for the two idle groups and one ahead. The executor hands back every result at
    // once: the coordinator takes them all, then gives the first freed group the suggestion asked
    // ahead, and asks one more (with that one pending) for the second, the last of the budget.
    CHECK(run(2, 4) == std::vector<std::string>{"ask 0", "ask 1", "ask 2", "start 0", "start 1",
                                                "result 0", "tell", "result 1", "tell",
                                                "ask 1", "start 2", "start 3",
                                                "result 2", "tell", "result 3", "tell"});  // budget spent: no asks
}

TEST_CASE("a single group is never asked ahead: each suggestion knows every result") {
    CHECK(run(1, 3) == std::vector<std::string>{"ask 0", "start 0", "result 0", "tell", "ask 0", "start 1",
                                                "result 1", "tell", "ask 0", "start 2", "result 2", "tell"});
}

TEST_CASE("a failure that may be transient runs again, up to max_retries times, before the optimizer hears of it") {
    // Trial 1 fails once by a fault, trial 2 by the workload's verdict, trial 3 by faults every time.
    const auto outcome = [](const journal::Trial& trial) {
        journal::TrialResult result;
        result.fom = 1.0;
        const bool fault = (trial.id == 1 && trial.attempt == 0) || trial.id == 3;
        if (fault || trial.id == 2) {
            result.status = journal::TrialStatus::failed;
            result.transient = fault;
            result.reason = fault ? "lost node" : "diverged";
        }
        return result;
    };
    LoggingOptimizer optimizer;
    QueueExecutor executor(1, optimizer.log, outcome);
    const Ran ran = run_search(spec_with_budget(R"({"trials": 5, "max_retries": 2})"), optimizer, executor);
    CHECK(events(ran.records, "trial_attempt_failed") == std::vector<std::string>{"1:0", "3:0", "3:1"});
    CHECK(events(ran.records, "trial_retried") == std::vector<std::string>{"1:1", "3:1", "3:2"});
    CHECK(events(ran.records, "trial_finished") == std::vector<std::string>{"0", "1", "2", "3", "4"});
    CHECK(std::count(ran.log.begin(), ran.log.end(), "tell") == 5);
    CHECK(ran.outcome.progress.failed == 2);  // trial 2 at once, trial 3 after its retries
    CHECK(!ran.outcome.interrupted);
}

TEST_CASE("the last trial's failure that may be transient runs again after the budget was handed out") {
    const auto outcome = [](const journal::Trial& trial) {
        journal::TrialResult result;
        result.fom = 1.0;
        if (trial.id == 3 && trial.attempt == 0) {
            result.status = journal::TrialStatus::failed;
            result.transient = true;
            result.reason = "lost node";
        }
        return result;
    };
    LoggingOptimizer optimizer;
    QueueExecutor executor(2, optimizer.log, outcome);
    const Ran ran = run_search(spec_with_budget(R"({"trials": 4, "max_retries": 1})"), optimizer, executor);
    CHECK(events(ran.records, "trial_retried") == std::vector<std::string>{"3:1"});
    CHECK(events(ran.records, "trial_finished") == std::vector<std::string>{"0", "1", "2", "3"});
    CHECK(ran.outcome.progress.failed == 0);
    CHECK(ran.outcome.stop_reason == cluster::StopReason::trial_budget);
}

TEST_CASE("a stop request interrupts the running trials and leaves them for a resume") {
    LoggingOptimizer optimizer;
    QueueExecutor executor(2, optimizer.log);
    executor.one_per_wait = true;
    std::int64_t finished = 0;
    const Ran ran = run_search(spec_with_budget(R"({"trials": 50})"), optimizer, executor, [&](cluster::Coordinator& coordinator) {
        coordinator.on_progress([&](const cluster::SearchProgress& progress) { finished = progress.finished; });
        coordinator.stop_when([&] { return finished >= 3; });
    });
    CHECK(ran.outcome.interrupted);
    CHECK(ran.outcome.stop_reason == cluster::StopReason::interrupted);
    CHECK(ran.outcome.abandoned == 0);
    CHECK(events(ran.records, "trial_finished") == std::vector<std::string>{"0", "1", "2"});
    CHECK(events(ran.records, "trial_interrupted") == std::vector<std::string>{"3"});
    const Json& last = ran.records.at(ran.records.size() - 2);
    CHECK(last["event"] == "run_interrupted");
    CHECK(last["unfinished_trials"] == Json::array({3}));
}

TEST_CASE("trials that do not stop within the grace are left running, and said so") {
    LoggingOptimizer optimizer;
    QueueExecutor executor(2, optimizer.log);
    executor.one_per_wait = executor.stubborn = true;
    std::int64_t finished = 0;
    const Ran ran = run_search(spec_with_budget(R"({"trials": 50, "grace_s": 0.1})"), optimizer, executor,
                               [&](cluster::Coordinator& coordinator) {
                                   coordinator.on_progress([&](const cluster::SearchProgress& progress) { finished = progress.finished; });
                                   coordinator.stop_when([&] { return finished >= 2; });
                               });
    CHECK(ran.outcome.interrupted);
    CHECK(ran.outcome.abandoned == 1);
    CHECK(ran.records.at(ran.records.size() - 2)["unfinished_trials"] == Json::array({2}));
}
