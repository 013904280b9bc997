#include "hpopt/cluster/trial_evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "hpopt/log/log.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

FoldResult failure(std::string reason, bool transient) {
    return {journal::TrialStatus::failed, nan, std::move(reason), transient, {}};
}

FoldResult interrupted(std::string reason) { return {journal::TrialStatus::interrupted, nan, std::move(reason), false, {}}; }

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

FoldResult evaluate_in_context(workload::Workload& workload, const journal::Trial& trial,
                               const workload::TrialContext& context, std::optional<double> timeout_s) {
    const auto timed_out = [&] { return failure(fmt::format("timed out after {} s", *timeout_s), true); };
    try {
        const double fom = workload.evaluate(trial.params, context);
        if (context.past_deadline()) return timed_out();
        if (!std::isfinite(fom)) return failure(fmt::format("the figure of merit is {}", fom), false);
        return {journal::TrialStatus::ok, fom, "", false, {}};
    } catch (const workload::TrialInterrupted& stopped) {
        return interrupted(stopped.what());
    } catch (const workload::TrialStopped& stopped) {
        return {journal::TrialStatus::stopped, nan, stopped.what(), false, {}};
    } catch (const workload::TrialFailure& error) {
        if (context.past_deadline()) return timed_out();
        return failure(error.what(), false);
    } catch (const std::exception& error) {
        if (context.past_deadline()) return timed_out();
        return failure(error.what(), true);
    } catch (...) {
        return failure("unknown exception", true);
    }
}

// The mean of the result's fold FoMs and their standard deviation.
void set_mean_and_std(journal::TrialResult& result) {
    const double n = static_cast<double>(result.fold_foms.size());
    double sum = 0, sum_of_squares = 0;
    for (double fom : result.fold_foms) sum += fom;
    result.fom = sum / n;
    for (double fom : result.fold_foms) sum_of_squares += (fom - result.fom) * (fom - result.fom);
    result.fom_std = n > 1 ? std::sqrt(sum_of_squares / (n - 1)) : 0.0;
}

}  // namespace

std::string checkpoint_dir(const std::string& checkpoint_root, std::int64_t trial_id) {
    return checkpoint_root.empty() ? "" : fmt::format("{}/trial-{}", checkpoint_root, trial_id);
}

FoldResult evaluate_fold(workload::Workload& workload, const FoldTask& task) {
    workload::TrialContext context;
    context.trial_id = task.trial.id;
    context.seed = random::derive_seed(task.trial.seed, static_cast<std::uint64_t>(task.fold));
    context.fold = task.fold;
    context.attempt = task.trial.attempt;
    context.folds = task.folds;
    context.team = task.team;
    context.checkpoint_dir = checkpoint_dir(task.checkpoint_root, task.trial.id);
    // The checkpoint root is the run dir's checkpoints/ (journal::RunDirectory).
    if (!task.checkpoint_root.empty()) context.run_dir = std::filesystem::path(task.checkpoint_root).parent_path().string();
    context.interruption = task.interruption;
    context.early_stop = task.early_stop;
    context.simulated = task.simulated;
    if (task.timeout_s) {
        context.deadline = task.start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                            std::chrono::duration<double>(*task.timeout_s));
    }
    std::vector<double> epoch_foms;
    context.report_epoch = [&](std::int64_t epoch, double fom, const Json& details) {
        log::debug("trial {} fold {} epoch {}: {:.6g}", task.trial.id, task.fold, epoch, fom);
        epoch_foms.push_back(fom);
        if (task.on_epoch) task.on_epoch({task.trial.id, task.fold, epoch, fom, details});
    };
    log::debug("trial {} fold {}: started (attempt {})", task.trial.id, task.fold, task.trial.attempt + 1);
    Json figures = Json::object();
    context.report_figures = [&](const Json& reported) {
        if (reported.is_object()) figures = reported;
    };
    FoldResult result = evaluate_in_context(workload, task.trial, context, task.timeout_s);
    result.figures = std::move(figures);
    if (result.status == journal::TrialStatus::stopped) {
        if (epoch_foms.empty()) return failure("stopped early before its first epoch", false);
        result.fom = epoch_foms.back();
    }
    result.epoch_foms = std::move(epoch_foms);
    log::debug("trial {} fold {}: {} {:.6g} in {:.3f} s{}", task.trial.id, task.fold, journal::to_string(result.status), result.fom,
               seconds_since(task.start), result.reason.empty() ? "" : ": " + result.reason);
    return result;
}

// The folds' figures: each number averaged over the folds that reported it (kept as the first
// fold has it where they agree: a parameter count stays an integer), anything else as the first
// fold that reported it has it.
Json combine_figures(const std::vector<FoldResult>& folds) {
    Json figures = Json::object();
    std::map<std::string, double> sums;
    std::map<std::string, int> counts;
    std::set<std::string> varying;
    for (const FoldResult& fold : folds) {
        for (const auto& [name, value] : fold.figures.items()) {
            if (!figures.contains(name)) figures[name] = value;
            if (!value.is_number() || !figures[name].is_number()) continue;
            sums[name] += value.get<double>();
            ++counts[name];
            if (value != figures[name]) varying.insert(name);
        }
    }
    for (const std::string& name : varying) figures[name] = sums[name] / counts[name];
    return figures;
}

journal::TrialResult combine_folds(std::int64_t trial_id, const std::vector<FoldResult>& folds) {
    journal::TrialResult result;
    result.id = trial_id;
    for (const FoldResult& fold : folds) {
        if (!fold.epoch_foms.empty()) result.epoch_foms.push_back(fold.epoch_foms);
    }
    result.figures = combine_figures(folds);
    const auto not_ok = [&](journal::TrialStatus status) {
        return std::find_if(folds.begin(), folds.end(), [&](const FoldResult& fold) { return fold.status == status; });
    };
    auto first = not_ok(journal::TrialStatus::failed);
    if (first == folds.end()) first = not_ok(journal::TrialStatus::stopped);
    if (first == folds.end()) first = not_ok(journal::TrialStatus::interrupted);
    if (first != folds.end() && first->status == journal::TrialStatus::stopped) {
        // The search's verdict: each fold's FoM is its last epoch's (the coordinator then gives
        // the trial the FoM it judged it by).
        result.status = first->status;
        result.reason = first->reason;
        for (const FoldResult& fold : folds) result.fold_foms.push_back(fold.fom);
        set_mean_and_std(result);
        return result;
    }
    if (first != folds.end()) {
        result.status = first->status;
        result.fom = result.fom_std = nan;
        result.reason = folds.size() > 1 ? fmt::format("fold {}: {}", first - folds.begin(), first->reason) : first->reason;
        result.transient = first->transient;
        return result;
    }
    for (const FoldResult& fold : folds) result.fold_foms.push_back(fold.fom);
    set_mean_and_std(result);
    return result;
}

journal::TrialResult evaluate_trial(workload::Workload& workload, const journal::Trial& trial, int folds,
                                    std::optional<double> timeout_s, const std::string& checkpoint_root,
                                    const EpochCallback& on_epoch, const std::function<bool()>& interruption,
                                    const std::function<bool()>& early_stop) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<FoldResult> results;
    for (int fold = 0; fold < folds && (results.empty() || results.back().ok()); ++fold) {
        results.push_back(
            evaluate_fold(workload, {trial, fold, folds, timeout_s, start, MPI_COMM_NULL, checkpoint_root, on_epoch, interruption,
                                     early_stop}));
    }
    journal::TrialResult result = combine_folds(trial.id, results);
    result.duration_s = seconds_since(start);
    return result;
}

}  // namespace hpopt::cluster
