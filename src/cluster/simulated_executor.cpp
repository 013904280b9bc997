#include "hpopt/cluster/simulated_executor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {
namespace {

using Duration = Executor::Clock::duration;

Duration virtual_seconds(double seconds) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)); }

double seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

// The folds' FoMs at the last epoch the run reported, and its curves up to there.
void keep_reported_epochs(journal::TrialResult& result, std::int64_t reported) {
    result.fold_foms.clear();
    for (auto& fold : result.epoch_foms) {
        fold.resize(std::min(fold.size(), static_cast<std::size_t>(reported)));
        if (!fold.empty()) result.fold_foms.push_back(fold.back());
    }
    double sum = 0;
    for (double fom : result.fold_foms) sum += fom;
    result.fom = result.fold_foms.empty() ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(result.fold_foms.size());
    result.fom_std = 0;
}

// A batch of suggestions asked at once, ready once virtual time has caught up with its cost.
class VirtualWorker : public ModelWorker {
public:
    explicit VirtualWorker(SimulatedExecutor& executor) : executor_(executor) {}

    void start(Job job) override {
        const Duration took = executor_.off_the_clock(job);
        done_at_ = executor_.now() + took;
    }
    bool done() const override { return executor_.now() >= done_at_; }
    double until_done_s() const override { return std::max(0.0, seconds(done_at_ - executor_.now())); }

private:
    SimulatedExecutor& executor_;
    Executor::Clock::time_point done_at_;
};

}  // namespace

SimulatedExecutor::SimulatedExecutor(workload::Workload& workload, int groups, int folds, SimulatedTrials trials,
                                     std::uint64_t seed, std::optional<double> trial_timeout_s)
    : workload_(workload),
      groups_(groups),
      folds_(folds),
      trials_(trials),
      seed_(seed),
      trial_timeout_s_(trial_timeout_s),
      origin_(Clock::now()),
      synced_(origin_) {}

Executor::Clock::time_point SimulatedExecutor::now() const {
    return origin_ + virtual_ + (trials_.free_coordinator ? Duration{} : Clock::now() - synced_);
}

std::unique_ptr<ModelWorker> SimulatedExecutor::model_worker() { return std::make_unique<VirtualWorker>(*this); }

Duration SimulatedExecutor::off_the_clock(const std::function<void()>& work) {
    sync();
    work();
    const auto real = Clock::now();
    const Duration took = real - synced_;
    synced_ = real;
    return trials_.free_coordinator ? Duration{} : took;
}

// Virtual time takes in the coordinator's work since the last sync.
void SimulatedExecutor::sync() const {
    const auto real = Clock::now();
    if (!trials_.free_coordinator) virtual_ += real - synced_;
    synced_ = real;
}

double SimulatedExecutor::duration_s(const journal::Trial& trial) const {
    random::Rng rng(random::derive_seed(random::derive_seed(seed_, static_cast<std::uint64_t>(trial.id)),
                                        static_cast<std::uint64_t>(trial.attempt)));
    return trials_.median_s * std::exp(trials_.spread * rng.normal());
}

// The trial's run from now: the workload's result and epochs, placed on virtual time.
SimulatedExecutor::Run SimulatedExecutor::simulate(const journal::Trial& trial) const {
    std::vector<journal::EpochReport> reports;
    const EpochCallback collect = [&](const journal::EpochReport& report) { reports.push_back(report); };
    std::vector<FoldResult> folds;
    for (int fold = 0; fold < folds_ && (folds.empty() || folds.back().ok()); ++fold) {
        FoldTask task{trial, fold, folds_, std::nullopt, Clock::now(), MPI_COMM_NULL, "", collect, {}, {}};
        task.simulated = true;
        folds.push_back(evaluate_fold(workload_, task));
    }
    Run run{trial, virtual_, virtual_, combine_folds(trial.id, folds), {}};

    // A trial that goes on from a pause trains (and spends time on) its remaining epochs only.
    std::int64_t epochs = 0;
    for (const auto& report : reports) epochs = std::max(epochs, report.epoch);
    const auto reached = reached_.find(trial.id);
    const std::int64_t done = reached == reached_.end() ? 0 : std::min(reached->second, epochs);
    const double full_s = duration_s(trial);
    const double share = epochs > 0 ? static_cast<double>(epochs - done) / static_cast<double>(epochs) : 1.0;
    run.ends = run.started + virtual_seconds(full_s * share);
    for (const auto& report : reports) {
        if (report.epoch <= done) continue;
        const double at_s = full_s * static_cast<double>(report.epoch - done) / static_cast<double>(epochs);
        run.epochs.emplace_back(run.started + virtual_seconds(at_s), report);
    }
    std::stable_sort(run.epochs.begin(), run.epochs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (trial_timeout_s_ && run.ends - run.started > virtual_seconds(*trial_timeout_s_)) {
        run.ends = run.started + virtual_seconds(*trial_timeout_s_);
        while (!run.epochs.empty() && run.epochs.back().first > run.ends) run.epochs.pop_back();
        run.result.status = journal::TrialStatus::failed;
        run.result.reason = fmt::format("timed out after {} s", *trial_timeout_s_);
        run.result.transient = true;
        run.result.fom = std::numeric_limits<double>::quiet_NaN();
    }
    run.result.duration_s = seconds(run.ends - run.started);
    return run;
}

void SimulatedExecutor::start(int group, const journal::Trial& trial) {
    sync();
    runs_[group] = simulate(trial);
    synced_ = Clock::now();  // computing the workload's FoM is the group's work, not the coordinator's
}

// The group whose next report (an epoch, or its result) comes first, and when.
std::optional<std::pair<int, Duration>> SimulatedExecutor::next_event() const {
    std::optional<std::pair<int, Duration>> next;
    for (const auto& [group, run] : runs_) {
        const Duration at = run.epochs.empty() ? run.ends : run.epochs.front().first;
        if (!next || at < next->second) next = {group, at};
    }
    return next;
}

std::optional<Finished> SimulatedExecutor::wait(double timeout_s) {
    sync();
    const Duration deadline = virtual_ + virtual_seconds(timeout_s);
    while (true) {
        const auto next = next_event();
        if (!next || next->second > deadline) {
            virtual_ = std::max(virtual_, deadline);
            synced_ = Clock::now();
            return std::nullopt;
        }
        virtual_ = std::max(virtual_, next->second);
        synced_ = Clock::now();
        Run& run = runs_.at(next->first);
        if (run.epochs.empty()) {
            Finished finished{next->first, std::move(run.result)};
            runs_.erase(next->first);
            return finished;
        }
        const journal::EpochReport report = run.epochs.front().second;
        run.epochs.pop_front();
        std::int64_t& reached = reached_[report.trial];
        reached = std::max(reached, report.epoch);
        if (on_epoch_) on_epoch_(report);  // the coordinator's work: it may stop the trial
        sync();
    }
}

// The run ends now, with what it reported so far.
void SimulatedExecutor::cut_short(Run& run, journal::TrialStatus status, const std::string& reason) {
    run.ends = std::max(virtual_, run.started);
    run.epochs.clear();
    run.result.status = status;
    run.result.reason = reason;
    run.result.transient = false;
    const auto reached = reached_.find(run.trial.id);
    keep_reported_epochs(run.result, reached == reached_.end() ? 0 : reached->second);
    run.result.duration_s = seconds(run.ends - run.started);
}

void SimulatedExecutor::interrupt() {
    sync();
    for (auto& [group, run] : runs_) cut_short(run, journal::TrialStatus::interrupted, "interrupted");
}

void SimulatedExecutor::stop_early(int group, std::int64_t trial) {
    const auto run = runs_.find(group);
    if (run == runs_.end() || run->second.trial.id != trial) return;
    sync();
    cut_short(run->second, journal::TrialStatus::stopped, "stopped early");
}

}  // namespace hpopt::cluster
