#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

#include "hpopt/cluster/trial_evaluation.hpp"

using namespace hpopt;

namespace {

// Returns a FoM per fold from a list, or throws when told to.
class ScriptedWorkload : public workload::Workload {
public:
    explicit ScriptedWorkload(std::vector<double> foms, int throw_at_fold = -1)
        : foms_(std::move(foms)), throw_at_fold_(throw_at_fold) {}
    std::string fom_name() const override { return "scripted"; }
    double evaluate(const space::Params&, const workload::TrialContext& context) override {
        folds_seen.push_back(context.fold);
        seeds_seen.push_back(context.seed);
        if (context.fold == throw_at_fold_) throw std::runtime_error("out of memory");
        return foms_.at(context.fold);
    }
    std::vector<int> folds_seen;
    std::vector<std::uint64_t> seeds_seen;

private:
    std::vector<double> foms_;
    int throw_at_fold_;
};

const journal::Trial trial{3, {{"x", 1}}, {0.5}, 77};

}  // namespace

TEST_CASE("the FoM is the mean over folds, with their standard deviation") {
    ScriptedWorkload workload({1.0, 2.0, 3.0, 6.0});
    const auto result = cluster::evaluate_trial(workload, trial, 4);
    CHECK(result.ok());
    CHECK(result.id == 3);
    CHECK(result.fom == doctest::Approx(3.0));
    CHECK(result.fom_std == doctest::Approx(std::sqrt(14.0 / 3.0)));
    CHECK(result.fold_foms == std::vector<double>{1, 2, 3, 6});
    CHECK(workload.folds_seen == std::vector<int>{0, 1, 2, 3});
    CHECK(workload.seeds_seen[0] != workload.seeds_seen[1]);
}

TEST_CASE("a FoM of zero is a FoM") {
    ScriptedWorkload workload({0.0});
    const auto result = cluster::evaluate_trial(workload, trial, 1);
    CHECK(result.ok());
    CHECK(result.fom == 0.0);
    CHECK(result.fom_std == 0.0);
}

TEST_CASE("a failing fold fails the trial with its reason") {
    ScriptedWorkload workload({1.0, 2.0, 3.0}, 1);
    const auto result = cluster::evaluate_trial(workload, trial, 3);
    CHECK_FALSE(result.ok());
    CHECK(result.reason == "fold 1: out of memory");
    CHECK(std::isnan(result.fom));
    CHECK(workload.folds_seen == std::vector<int>{0, 1});
}

TEST_CASE("a FoM that is not finite fails the trial") {
    ScriptedWorkload workload({std::nan("")});
    const auto result = cluster::evaluate_trial(workload, trial, 1);
    CHECK_FALSE(result.ok());
    CHECK(result.reason == "the figure of merit is nan");
}

namespace {

// Sleeps, checking the deadline only if told to.
class SlowWorkload : public workload::Workload {
public:
    explicit SlowWorkload(bool cooperative) : cooperative_(cooperative) {}
    std::string fom_name() const override { return "slow"; }
    double evaluate(const space::Params&, const workload::TrialContext& context) override {
        for (int i = 0; i < 20; ++i) {
            if (cooperative_ && context.past_deadline()) throw workload::TrialFailure("stopped");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return 1.0;
    }

private:
    bool cooperative_;
};

}  // namespace

TEST_CASE("a trial past its time limit fails as timed out, whether the workload stops or returns late") {
    for (bool cooperative : {true, false}) {
        SlowWorkload workload(cooperative);
        const auto start = std::chrono::steady_clock::now();
        const auto result = cluster::evaluate_trial(workload, trial, 1, 0.05);
        CHECK_FALSE(result.ok());
        CHECK(result.reason == "timed out after 0.05 s");
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (cooperative) CHECK(elapsed < std::chrono::milliseconds(150));
    }
    SlowWorkload in_time(true);
    CHECK(cluster::evaluate_trial(in_time, trial, 1, 5.0).ok());
}

namespace {

// Fails in the way it is told to.
class FaultyWorkload : public workload::Workload {
public:
    explicit FaultyWorkload(std::function<double()> evaluate) : evaluate_(std::move(evaluate)) {}
    std::string fom_name() const override { return "faulty"; }
    double evaluate(const space::Params&, const workload::TrialContext&) override { return evaluate_(); }

private:
    std::function<double()> evaluate_;
};

journal::TrialResult evaluated(std::function<double()> evaluate) {
    FaultyWorkload workload(std::move(evaluate));
    return cluster::evaluate_trial(workload, trial, 1);
}

}  // namespace

TEST_CASE("a fault may be transient; the workload's verdict and a NaN FoM are not; an interruption is no failure") {
    const auto fault = evaluated([]() -> double { throw std::runtime_error("node lost"); });
    CHECK(fault.status == journal::TrialStatus::failed);
    CHECK(fault.transient);
    const auto verdict = evaluated([]() -> double { throw workload::TrialFailure("diverged"); });
    CHECK(verdict.status == journal::TrialStatus::failed);
    CHECK(!verdict.transient);
    CHECK(!evaluated([] { return std::nan(""); }).transient);
    const auto interrupted = evaluated([]() -> double { throw workload::TrialInterrupted("interrupted in epoch 2"); });
    CHECK(interrupted.status == journal::TrialStatus::interrupted);
    CHECK(interrupted.reason == "interrupted in epoch 2");
}

TEST_CASE("a failed fold outweighs an interrupted one: the trial has a result") {
    cluster::FoldResult interrupted{journal::TrialStatus::interrupted, 0, "interrupted", false, {}};
    cluster::FoldResult failed{journal::TrialStatus::failed, 0, "diverged", false, {}};
    cluster::FoldResult ok{journal::TrialStatus::ok, 1.0, "", false, {}};
    CHECK(cluster::combine_folds(1, {ok, interrupted, failed}).reason == "fold 2: diverged");
    CHECK(cluster::combine_folds(1, {ok, interrupted}).status == journal::TrialStatus::interrupted);
}

TEST_CASE("a fold stopped early keeps its last epoch's FoM, and the trial is stopped unless a fold failed") {
    using journal::TrialStatus;
    const cluster::FoldResult ok{TrialStatus::ok, 1.0, "", false, {0.5, 1.0}};
    const cluster::FoldResult stopped{TrialStatus::stopped, 2.0, "stopped early after epoch 1", false, {2.0}};
    const cluster::FoldResult failed{TrialStatus::failed, NAN, "out of memory", true, {}};
    const auto result = cluster::combine_folds(3, {ok, stopped});
    CHECK(result.status == TrialStatus::stopped);
    CHECK(result.has_fom());
    CHECK(result.fold_foms == std::vector<double>{1.0, 2.0});
    CHECK(result.fom == 1.5);
    CHECK(result.reason == "stopped early after epoch 1");
    CHECK(cluster::combine_folds(3, {stopped, failed}).status == TrialStatus::failed);
}

TEST_CASE("a workload that stops early before reporting an epoch fails, having no FoM to stop at") {
    class StopsAtOnce : public workload::Workload {
    public:
        std::string fom_name() const override { return "x"; }
        double evaluate(const space::Params&, const workload::TrialContext&) override { throw workload::TrialStopped("stopped"); }
    } workload;
    const auto result = cluster::evaluate_trial(workload, trial, 1);
    CHECK(result.status == journal::TrialStatus::failed);
    CHECK(result.reason == "stopped early before its first epoch");
}


TEST_CASE("a workload's figures reach the trial's result, numbers averaged over its folds") {
    class Figures : public workload::Workload {
    public:
        std::string fom_name() const override { return "figures"; }
        double evaluate(const space::Params&, const workload::TrialContext& context) override {
            context.report_figures({{"parameters", 100}, {"latency_ms", 1.0 + context.fold}, {"device", "cpu"}});
            return 1.0;
        }
    } figures;
    const journal::TrialResult result = cluster::evaluate_trial(figures, trial, 2);
    CHECK(result.figures == Json{{"parameters", 100}, {"latency_ms", 1.5}, {"device", "cpu"}});
    CHECK(result.figures["parameters"].is_number_integer());  // the folds agree: kept as they report it
}
