#include "hpopt/cluster/trial_evaluation.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {
namespace {

void fail(journal::TrialResult& result, const std::string& reason) {
    result.status = journal::TrialStatus::failed;
    result.fom = std::numeric_limits<double>::quiet_NaN();
    result.fom_std = std::numeric_limits<double>::quiet_NaN();
    result.reason = reason;
}

void summarize_folds(journal::TrialResult& result) {
    const double n = static_cast<double>(result.fold_foms.size());
    double sum = 0, sum_of_squares = 0;
    for (double fom : result.fold_foms) sum += fom;
    result.fom = sum / n;
    for (double fom : result.fold_foms) sum_of_squares += (fom - result.fom) * (fom - result.fom);
    result.fom_std = n > 1 ? std::sqrt(sum_of_squares / (n - 1)) : 0.0;
}

}  // namespace

journal::TrialResult evaluate_trial(workload::Workload& workload, const journal::Trial& trial, int folds,
                                    double started_s) {
    const auto start = std::chrono::steady_clock::now();
    journal::TrialResult result;
    result.id = trial.id;
    result.started_s = started_s;
    for (int fold = 0; fold < folds && result.ok(); ++fold) {
        const workload::TrialContext context{trial.id, random::derive_seed(trial.seed, fold), fold, folds};
        try {
            const double fom = workload.evaluate(trial.params, context);
            if (std::isfinite(fom)) {
                result.fold_foms.push_back(fom);
            } else {
                fail(result, fmt::format("fold {}: the figure of merit is {}", fold, fom));
            }
        } catch (const std::exception& error) {
            fail(result, folds > 1 ? fmt::format("fold {}: {}", fold, error.what()) : error.what());
        } catch (...) {
            fail(result, fmt::format("fold {}: unknown exception", fold));
        }
    }
    if (result.ok()) summarize_folds(result);
    result.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace hpopt::cluster
