#include "hpopt/cluster/coordinator.hpp"

#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {

Coordinator::Coordinator(const spec::Spec& spec, optim::Optimizer& optimizer, workload::Workload& workload,
                         journal::Journal& journal, journal::ResultsFiles& results)
    : spec_(spec), optimizer_(optimizer), workload_(workload), journal_(journal), results_(results) {}

double Coordinator::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::optional<std::string> Coordinator::stop_reason() const {
    const spec::Budget& budget = spec_.budget;
    if (budget.target && progress_.best && spec_.objective.reached(progress_.best->result.fom, *budget.target)) {
        return "target reached";
    }
    if (budget.trials && next_id_ >= *budget.trials) return "trial budget reached";
    if (budget.wall_time_s && elapsed_s() >= *budget.wall_time_s) return "wall time reached";
    return std::nullopt;
}

journal::Trial Coordinator::next_trial(const optim::Point& point) {
    const std::int64_t id = next_id_++;
    const std::uint64_t trials_seed = random::derive_seed(spec_.seed, random::stream::trials);
    return {id, spec_.space.decode(point), point, random::derive_seed(trials_seed, static_cast<std::uint64_t>(id))};
}

void Coordinator::record(const journal::Trial& trial, const journal::TrialResult& result) {
    journal_.append(journal::trial_finished(result));
    optimizer_.tell({trial.point, result.ok() ? std::optional(spec_.objective.loss(result.fom)) : std::nullopt});
    results_.add(trial, result);
    ++progress_.finished;
    if (!result.ok()) ++progress_.failed;
    if (result.ok() && (!progress_.best || spec_.objective.better(result.fom, progress_.best->result.fom))) {
        progress_.best = BestTrial{trial, result};
        results_.write_best(trial, result, workload_.fom_name());
    }
    progress_.elapsed_s = elapsed_s();
    if (on_progress_) on_progress_(progress_);
}

SearchOutcome Coordinator::run(const std::string& version) {
    start_ = std::chrono::steady_clock::now();
    journal_.append(journal::run_started(spec_.document, spec::fingerprint(spec_.document), version));
    std::optional<std::string> reason;
    while (!(reason = stop_reason())) {
        const std::optional<optim::Point> point = optimizer_.ask({});
        if (!point) {
            reason = "search space exhausted";
            break;
        }
        const journal::Trial trial = next_trial(*point);
        journal_.append(journal::trial_suggested(trial));
        record(trial, evaluate_trial(workload_, trial, spec_.layout.folds, elapsed_s()));
    }
    progress_.elapsed_s = elapsed_s();
    results_.flush();
    const SearchOutcome outcome{*reason, progress_};
    journal_.append(journal::run_finished(outcome.stop_reason, to_json(outcome)));
    return outcome;
}

Json to_json(const SearchOutcome& outcome) {
    const SearchProgress& progress = outcome.progress;
    Json summary = {{"trials", progress.finished}, {"failed", progress.failed}, {"elapsed_s", progress.elapsed_s}};
    if (progress.best) summary["best"] = {{"trial", progress.best->trial.id}, {"fom", progress.best->result.fom}};
    return summary;
}

}  // namespace hpopt::cluster
