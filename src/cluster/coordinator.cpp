#include "hpopt/cluster/coordinator.hpp"

#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {
namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// How long to wait for a result before looking at the stop conditions again.
constexpr double poll_s = 0.25;

}  // namespace

double SearchMetrics::utilization(double elapsed_s) const {
    return elapsed_s > 0 ? busy_group_s / (groups * elapsed_s) : 0.0;
}

double SearchMetrics::mean_dispatch_latency_s() const {
    return redispatches ? dispatch_latency_s / static_cast<double>(redispatches) : 0.0;
}

Coordinator::Coordinator(const spec::Spec& spec, optim::Optimizer& optimizer, Executor& executor,
                         journal::Journal& journal, journal::ResultsFiles& results, std::string fom_name)
    : spec_(spec), optimizer_(optimizer), executor_(executor), journal_(journal), results_(results),
      fom_name_(std::move(fom_name)) {}

double Coordinator::elapsed_s() const { return seconds(Clock::now() - start_); }

std::optional<std::string> Coordinator::stop_reason() const {
    const spec::Budget& budget = spec_.budget;
    if (budget.target && progress_.best && spec_.objective.reached(progress_.best->result.fom, *budget.target)) {
        return "target reached";
    }
    if (budget.trials && next_id_ >= *budget.trials && to_resume_.empty()) return "trial budget reached";
    if (budget.wall_time_s && elapsed_s() >= *budget.wall_time_s) return "wall time reached";
    return std::nullopt;
}

std::optional<optim::Point> Coordinator::ask() {
    std::vector<optim::Point> pending;
    for (const auto& [g, running] : running_) pending.push_back(running.trial.point);
    const auto asked = Clock::now();
    std::optional<optim::Point> point = optimizer_.ask(pending);
    metrics_.ask_s += seconds(Clock::now() - asked);
    return point;
}

// With several groups, a suggestion is asked while they are all busy, so that the next group
// to report need not wait for the optimizer. (Alone, the one group would get suggestions that
// never know the latest result.)
void Coordinator::ask_ahead(const std::vector<int>& idle, const std::optional<std::string>& reason) {
    const bool room = !spec_.budget.trials || next_id_ < *spec_.budget.trials;
    if (executor_.groups() > 1 && idle.empty() && !reason && room && !asked_ahead_) asked_ahead_ = ask();
}

// The next trial for `group`, journaled (not yet synced); nullopt when the optimizer has nothing
// to suggest for now.
std::optional<journal::Trial> Coordinator::prepare(int group) {
    if (!to_resume_.empty()) {
        const journal::Trial trial = to_resume_.back();
        to_resume_.pop_back();
        journal_.append(journal::trial_resumed(trial.id, group), journal::Journal::Sync::later);
        running_[group] = {trial, Clock::now()};
        return trial;
    }
    const std::optional<optim::Point> point = asked_ahead_ ? std::exchange(asked_ahead_, std::nullopt) : ask();
    if (!point) return std::nullopt;

    const std::int64_t id = next_id_++;
    const std::uint64_t trials_seed = random::derive_seed(spec_.seed, random::stream::trials);
    const journal::Trial trial{id, spec_.space.decode(*point), *point,
                               random::derive_seed(trials_seed, static_cast<std::uint64_t>(id))};
    journal_.append(journal::trial_suggested(trial, group), journal::Journal::Sync::later);
    running_[group] = {trial, Clock::now()};
    return trial;
}

// Hands trials to idle groups while the search goes on. One fsync covers all the records
// written since the last one (results and suggestions) before any trial leaves.
void Coordinator::dispatch(std::vector<int>& idle, std::optional<std::string>& reason, bool& exhausted) {
    std::vector<std::pair<int, journal::Trial>> outgoing;
    while (!reason && !exhausted && !idle.empty()) {
        const auto trial = prepare(idle.back());
        if (!trial) {
            exhausted = running_.empty();  // otherwise the optimizer waits for a result
            break;
        }
        outgoing.emplace_back(idle.back(), *trial);
        idle.pop_back();
        reason = stop_reason();
    }
    if (outgoing.empty()) return;
    journal_.sync();
    for (const auto& [group, trial] : outgoing) {
        executor_.start(group, trial);
        const auto now = Clock::now();
        running_.at(group).dispatched = now;
        if (const auto since = idle_since_.find(group); since != idle_since_.end()) {
            metrics_.dispatch_latency_s += seconds(now - since->second);
            ++metrics_.redispatches;
            idle_since_.erase(since);
        }
    }
}

void Coordinator::record(const Finished& finished) {
    const auto now = Clock::now();
    const Running running = running_.at(finished.group);
    running_.erase(finished.group);
    idle_since_[finished.group] = now;
    metrics_.busy_group_s += finished.result.duration_s;

    journal::TrialResult result = finished.result;
    result.id = running.trial.id;
    result.started_s = seconds(running.dispatched - start_);
    // Synced before the next trial (asked knowing this result) leaves, or with run_finished.
    journal_.append(journal::trial_finished(result), journal::Journal::Sync::later);
    const auto told = Clock::now();
    optimizer_.tell({running.trial.point, result.ok() ? std::optional(spec_.objective.loss(result.fom)) : std::nullopt});
    metrics_.tell_s += seconds(Clock::now() - told);

    const std::int64_t previous_best = progress_.best ? progress_.best->trial.id : -1;  // ids start at 0
    account(running.trial, result);
    const bool now_best = progress_.best && progress_.best->trial.id == running.trial.id;
    if (!now_best) {
        remove_checkpoints(running.trial.id);
    } else if (previous_best >= 0) {
        remove_checkpoints(previous_best);
    }
    progress_.running = static_cast<std::int64_t>(running_.size());
    progress_.elapsed_s = elapsed_s();
    if (on_progress_) on_progress_(progress_);
}

// A finished trial in the results, the counts and the best so far.
void Coordinator::account(const journal::Trial& trial, const journal::TrialResult& result) {
    results_.add(trial, result);
    ++progress_.finished;
    if (!result.ok()) ++progress_.failed;
    if (result.ok() && (!progress_.best || spec_.objective.better(result.fom, progress_.best->result.fom))) {
        progress_.best = BestTrial{trial, result};
        results_.write_best(trial, result, fom_name_);
    }
}

std::int64_t Coordinator::resume(const std::vector<Json>& records, const std::string& dropped) {
    std::map<std::int64_t, journal::Trial> in_flight;  // suggested, not finished
    std::int64_t differed = 0;
    for (const Json& record : records) {
        const std::string event = record.value("event", "");
        if (event == "trial_suggested") {
            const journal::Trial trial = journal::suggested_trial(record);
            std::vector<optim::Point> pending;
            for (const auto& [id, running] : in_flight) pending.push_back(running.point);
            if (optimizer_.ask(pending) != std::optional(trial.point)) ++differed;
            in_flight[trial.id] = trial;
            next_id_ = std::max(next_id_, trial.id + 1);
        } else if (event == "trial_finished") {
            const journal::TrialResult result = journal::finished_result(record);
            const auto found = in_flight.find(result.id);
            if (found == in_flight.end()) {
                throw journal::JournalError(fmt::format("the journal says trial {} finished, but not that it started", result.id));
            }
            optimizer_.tell({found->second.point, result.ok() ? std::optional(spec_.objective.loss(result.fom)) : std::nullopt});
            account(found->second, result);
            in_flight.erase(found);
        }
    }
    std::vector<std::int64_t> ids;
    for (auto it = in_flight.rbegin(); it != in_flight.rend(); ++it) to_resume_.push_back(it->second);  // lowest id first out
    for (const auto& [id, trial] : in_flight) ids.push_back(id);
    resumed_record_ = journal::run_resumed(ids, dropped);
    return differed;
}

void Coordinator::remove_checkpoints(std::int64_t trial_id) const {
    if (checkpoint_root_.empty()) return;
    std::error_code ignored;  // a folder that is not there is as good as removed
    std::filesystem::remove_all(checkpoint_dir(checkpoint_root_, trial_id), ignored);
}

SearchOutcome Coordinator::run(const std::string& version) {
    start_ = Clock::now();
    metrics_.groups = executor_.groups();
    executor_.report_epochs_to([this](const journal::EpochReport& report) {
        journal_.append(journal::epoch_finished(report), journal::Journal::Sync::later);
        progress_.last_epoch = report;
        progress_.running = static_cast<std::int64_t>(running_.size());
        progress_.elapsed_s = elapsed_s();
        if (on_progress_) on_progress_(progress_);
    });
    journal_.append(resumed_record_ ? *resumed_record_ : journal::run_started(spec_.document, spec::fingerprint(spec_.document), version));
    std::vector<int> idle;
    for (int group = executor_.groups() - 1; group >= 0; --group) idle.push_back(group);

    std::optional<std::string> reason;
    bool exhausted = false;
    while (true) {
        // A stop request also cuts short the wait for the last trials of a finished search.
        if (stop_requested_ && stop_requested_()) reason = "interrupted";
        if (!reason) reason = stop_reason();
        dispatch(idle, reason, exhausted);
        if (exhausted && !reason) reason = "search space exhausted";
        if (running_.empty() || reason == "interrupted") break;
        ask_ahead(idle, reason);
        // The first result to come, then every other one already there.
        for (auto finished = executor_.wait(poll_s); finished; finished = executor_.wait(0)) {
            record(*finished);
            idle.push_back(finished->group);
        }
    }
    executor_.shutdown();
    progress_.elapsed_s = elapsed_s();
    results_.flush();
    SearchOutcome outcome{*reason, progress_, metrics_, *reason == "interrupted"};
    if (outcome.interrupted) {
        std::vector<std::int64_t> trials;
        for (const auto& [group, running] : running_) trials.push_back(running.trial.id);
        journal_.append(journal::run_interrupted(trials));
    }
    journal_.append(journal::run_finished(outcome.stop_reason, to_json(outcome)));
    return outcome;
}

Json to_json(const SearchOutcome& outcome) {
    const SearchProgress& progress = outcome.progress;
    const SearchMetrics& metrics = outcome.metrics;
    Json summary = {{"trials", progress.finished},
                    {"failed", progress.failed},
                    {"elapsed_s", progress.elapsed_s},
                    {"groups", metrics.groups},
                    {"utilization", metrics.utilization(progress.elapsed_s)},
                    {"mean_dispatch_latency_s", metrics.mean_dispatch_latency_s()},
                    {"ask_s", metrics.ask_s},
                    {"tell_s", metrics.tell_s}};
    if (progress.best) summary["best"] = {{"trial", progress.best->trial.id}, {"fom", progress.best->result.fom}};
    return summary;
}

}  // namespace hpopt::cluster
