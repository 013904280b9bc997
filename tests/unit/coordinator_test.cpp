#include <doctest/doctest.h>

#include <deque>
#include <filesystem>

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

// `groups` groups whose trials finish in the order they started; logs starts and results.
class QueueExecutor : public cluster::Executor {
public:
    QueueExecutor(int groups, std::vector<std::string>& log) : groups_(groups), log_(log) {}
    int groups() const override { return groups_; }
    void start(int group, const journal::Trial& trial) override {
        log_.push_back("start " + std::to_string(trial.id));
        running_.push_back({group, trial.id});
    }
    std::optional<cluster::Finished> wait(double) override {
        if (running_.empty()) return std::nullopt;
        const auto [group, id] = running_.front();
        running_.pop_front();
        log_.push_back("result " + std::to_string(id));
        journal::TrialResult result;
        result.fom = 1.0;
        result.fold_foms = {1.0};
        return cluster::Finished{group, result};
    }
    void shutdown() override {}

private:
    int groups_;
    std::vector<std::string>& log_;
    std::deque<std::pair<int, std::int64_t>> running_;
};

std::vector<std::string> run(int groups, int trials) {
    const fs::path dir = fs::temp_directory_path() / "hpopt_coordinator_test";
    fs::remove_all(dir);
    workload::Registry plugins;
    plugins.add(analytic::plugin());
    const spec::Spec spec = spec::parse(Json::parse(R"({
        "space": {"x1": {"type": "real", "low": 0, "high": 1}, "x2": {"type": "real", "low": 0, "high": 1}},
        "optimizer": {"kind": "random"}, "budget": {"trials": )" + std::to_string(trials) + R"(},
        "workload": {"plugin": "analytic", "function": "branin"}})"), plugins, "test");
    const journal::RunDirectory run_dir = journal::prepare_run_directory(dir, false);
    journal::Journal journal(run_dir.journal());
    journal::ResultsFiles results(run_dir, spec.space);
    LoggingOptimizer optimizer;
    QueueExecutor executor(groups, optimizer.log);
    cluster::Coordinator coordinator(spec, optimizer, executor, journal, results, "f");
    const auto outcome = coordinator.run("test");
    CHECK(outcome.progress.finished == trials);
    fs::remove_all(dir);
    return optimizer.log;
}

}  // namespace

TEST_CASE("with several groups, the next suggestion is asked while all are busy") {
    // The executor hands back every result at once: the coordinator takes them all, then
    // gives the first freed group the suggestion asked ahead and asks anew for the second.
    CHECK(run(2, 4) == std::vector<std::string>{"ask 0", "ask 1", "start 0", "start 1",  // both groups busy:
                                                "ask 2",                                  // asked ahead
                                                "result 0", "tell", "result 1", "tell",
                                                "ask 1", "start 2", "start 3",  // one from ahead, one asked now
                                                "result 2", "tell", "result 3", "tell"});  // budget spent: no asks
}

TEST_CASE("a single group is never asked ahead: each suggestion knows every result") {
    CHECK(run(1, 3) == std::vector<std::string>{"ask 0", "start 0", "result 0", "tell", "ask 0", "start 1",
                                                "result 1", "tell", "ask 0", "start 2", "result 2", "tell"});
}
