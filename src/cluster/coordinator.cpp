#include "hpopt/cluster/coordinator.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/log/log.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {
namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// How long to wait for a result before looking at the stop conditions again.
constexpr double poll_s = 0.25;

// `visit` on each record in turn; what it throws becomes a JournalError naming the record's line.
template <class Visit>
void each_record(const std::vector<Json>& records, Visit visit) {
    for (std::size_t line = 0; line < records.size(); ++line) {
        try {
            visit(records[line]);
        } catch (const std::exception& error) {  // a record without its fields, or that contradicts the others
            throw journal::JournalError(fmt::format("the journal's line {} cannot be replayed: {}", line + 1, error.what()));
        }
    }
}

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

// Why the search ends once the running trials have finished.
std::optional<std::string> Coordinator::stop_reason() const {
    const spec::Budget& budget = spec_.budget;
    if (budget.target && progress_.best && spec_.objective.reached(progress_.best->result.fom, *budget.target)) {
        return "target reached";
    }
    if (budget.trials && next_id_ >= *budget.trials && again_.empty()) return "trial budget reached";
    return std::nullopt;
}

// Why the search stops without waiting for the running trials to finish.
std::optional<std::string> Coordinator::interruption_due() const {
    if (stop_requested_ && stop_requested_()) return "interrupted";
    if (spec_.budget.wall_time_s && elapsed_s() >= *spec_.budget.wall_time_s) return "wall time reached";
    return std::nullopt;
}

void Coordinator::interrupt(const std::string& reason) {
    interruption_ = reason;
    grace_end_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec_.budget.grace_s));
    if (running_.empty()) {
        notify(reason + ": no new trials");
        return;
    }
    executor_.interrupt();
    notify(fmt::format("{}: no new trials; waiting up to {} s for {} running trial(s) to stop at their next step", reason,
                       spec_.budget.grace_s, running_.size()));
}

void Coordinator::notify(const std::string& notice) const {
    if (on_notice_) on_notice_(notice);
}

// A suggestion, with what the optimizer knew when asked: the journal keeps both, so that a
// resume can ask it again in the same circumstances.
std::optional<Coordinator::Asked> Coordinator::ask() {
    Asked asked;
    asked.told = progress_.finished;
    std::vector<optim::Point> pending;
    for (const auto& [g, running] : running_) {
        pending.push_back(running.trial.point);
        asked.pending.push_back(running.trial.id);
    }
    const auto start = Clock::now();
    std::optional<optim::Point> point = optimizer_.ask(pending);
    metrics_.ask_s += seconds(Clock::now() - start);
    if (!point) return std::nullopt;
    asked.point = std::move(*point);
    return asked;
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
    if (!again_.empty()) {
        const auto [trial, retry] = again_.front();
        again_.pop_front();
        journal_.append(retry ? journal::trial_retried(trial.id, group, trial.attempt) : journal::trial_resumed(trial.id, group),
                        journal::Journal::Sync::later);
        running_[group] = {trial, Clock::now()};
        return trial;
    }
    const std::optional<Asked> asked = asked_ahead_ ? std::exchange(asked_ahead_, std::nullopt) : ask();
    if (!asked) return std::nullopt;

    const std::int64_t id = next_id_++;
    const std::uint64_t trials_seed = random::derive_seed(spec_.seed, random::stream::trials);
    const journal::Trial trial{id, spec_.space.decode(asked->point), asked->point,
                               random::derive_seed(trials_seed, static_cast<std::uint64_t>(id))};
    journal_.append(journal::trial_suggested(trial, group, asked->pending, asked->told), journal::Journal::Sync::later);
    log::debug("trial {} -> group {}: {}", id, group, trial.params.dump());
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

// A group's report: a result, a failure to run again, or a trial the search interrupted.
// Journaled, synced before the next trial (asked knowing this result) leaves, or at the end.
void Coordinator::record(const Finished& finished) {
    const auto now = Clock::now();
    const Running running = running_.at(finished.group);
    running_.erase(finished.group);
    idle_since_[finished.group] = now;
    metrics_.busy_group_s += finished.result.duration_s;

    journal::TrialResult result = finished.result;
    result.id = running.trial.id;
    log::debug("trial {} <- group {}: {} {:.6g}{}", result.id, finished.group, journal::to_string(result.status), result.fom,
               result.reason.empty() ? "" : ": " + result.reason);
    result.started_s = seconds(running.dispatched - start_);
    if (result.status == journal::TrialStatus::interrupted) {
        journal_.append(journal::trial_interrupted(result.id, result.reason), journal::Journal::Sync::later);
        interrupted_.push_back(result.id);
        // A group that had a stop signal of its own stops the search too.
        if (!interruption_) interrupt(interruption_due().value_or("interrupted"));
    } else if (result.status == journal::TrialStatus::failed && result.transient && running.trial.attempt < spec_.budget.max_retries) {
        retry(running.trial, result);
    } else {
        finish(running.trial, result);
    }
    report_progress();
}

void Coordinator::report_progress() {
    const auto now = Clock::now();
    progress_.running = static_cast<std::int64_t>(running_.size());
    progress_.elapsed_s = seconds(now - start_);
    progress_.groups = executor_.groups();
    progress_.busy_group_s = metrics_.busy_group_s;
    for (const auto& [group, running] : running_) progress_.busy_group_s += seconds(now - running.dispatched);
    if (on_progress_) on_progress_(progress_);
}

// A failure that may not happen again: the trial runs again before any new one, with the same
// parameters and seed (from its last checkpoint), the optimizer none the wiser.
void Coordinator::retry(journal::Trial trial, const journal::TrialResult& result) {
    journal_.append(journal::trial_attempt_failed(result, trial.attempt), journal::Journal::Sync::later);
    ++trial.attempt;
    notify(fmt::format("trial {} failed ({}); running it again, attempt {} of {}", trial.id, result.reason, trial.attempt + 1,
                       spec_.budget.max_retries + 1));
    again_.push_front({trial, true});
}

void Coordinator::finish(const journal::Trial& trial, const journal::TrialResult& result) {
    journal_.append(journal::trial_finished(result), journal::Journal::Sync::later);
    const auto told = Clock::now();
    optimizer_.tell({trial.point, result.ok() ? std::optional(spec_.objective.loss(result.fom)) : std::nullopt});
    metrics_.tell_s += seconds(Clock::now() - told);

    const std::int64_t previous_best = progress_.best ? progress_.best->trial.id : -1;  // ids start at 0
    account(trial, result);
    const bool now_best = progress_.best && progress_.best->trial.id == trial.id;
    if (!now_best) {
        remove_checkpoints(trial.id);
    } else if (previous_best >= 0) {
        remove_checkpoints(previous_best);
    }
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
    Replay replay;
    each_record(records, [&](const Json& record) { collect_suggestion(record, replay); });
    std::stable_sort(replay.asks.begin(), replay.asks.end(), [](const ReplayedAsk& a, const ReplayedAsk& b) { return a.told < b.told; });
    each_record(records, [&](const Json& record) { replay_record(record, replay); });
    ask_again(replay, std::numeric_limits<std::int64_t>::max());
    std::vector<std::int64_t> ids;
    for (const auto& [id, trial] : replay.in_flight) {
        again_.push_back({trial, false});
        ids.push_back(id);
    }
    resumed_record_ = journal::run_resumed(ids, dropped);
    return replay.differed;
}

// First pass: every suggestion, with the trials pending and the results told when it was asked
// (a journal written before hpopt kept them: as its records' order says).
void Coordinator::collect_suggestion(const Json& record, Replay& replay) const {
    const std::string event = record.value("event", "");
    if (event == "trial_finished") ++replay.finished_so_far;
    if (event != "trial_suggested") return;
    const journal::Trial trial = journal::suggested_trial(record);
    check_fits_space(trial);
    ReplayedAsk ask{trial.id, {}, replay.finished_so_far};
    if (record.contains("told")) {
        ask.told = journal::integer_field(record, "told");
        ask.pending = record.at("pending").get<std::vector<std::int64_t>>();
    } else {
        for (const auto& [id, earlier] : replay.suggested) ask.pending.push_back(id);  // unfinished ones: see replay_record
    }
    replay.suggested[trial.id] = trial;
    replay.asks.push_back(std::move(ask));
}

// Second pass: the records in order, each ask made again once the optimizer has been told as
// much as it had been then.
void Coordinator::replay_record(const Json& record, Replay& replay) {
    const std::string event = record.value("event", "");
    if (event == "trial_suggested") {
        const journal::Trial& trial = replay.suggested.at(journal::integer_field(record, "trial"));
        replay.in_flight[trial.id] = trial;
        next_id_ = std::max(next_id_, trial.id + 1);
    } else if (event == "trial_attempt_failed") {
        const std::int64_t attempt = journal::integer_field(record, "attempt");
        if (attempt < 0 || attempt > spec_.budget.max_retries) throw journal::JournalError("an attempt beyond budget.max_retries");
        started(replay.in_flight, journal::integer_field(record, "trial")).attempt = static_cast<int>(attempt) + 1;
    } else if (event == "trial_finished") {
        const journal::TrialResult result = journal::finished_result(record);
        if (result.ok() && !std::isfinite(result.fom)) throw journal::JournalError("a trial finished ok without a finite FoM");
        ask_again(replay, progress_.finished);
        const journal::Trial trial = started(replay.in_flight, result.id);
        optimizer_.tell({trial.point, result.ok() ? std::optional(spec_.objective.loss(result.fom)) : std::nullopt});
        account(trial, result);
        replay.in_flight.erase(result.id);
        replay.finished.insert(result.id);
    }
}

// The asks made when the optimizer had been told `told` results or fewer, made again.
void Coordinator::ask_again(Replay& replay, std::int64_t told) {
    for (; replay.asked < replay.asks.size() && replay.asks[replay.asked].told <= told; ++replay.asked) {
        const ReplayedAsk& ask = replay.asks[replay.asked];
        std::vector<optim::Point> pending;
        for (std::int64_t id : ask.pending) {
            const auto found = replay.suggested.find(id);
            if (found == replay.suggested.end()) throw journal::JournalError(fmt::format("trial {} was pending but never suggested", id));
            if (!replay.finished.count(id)) pending.push_back(found->second.point);
        }
        if (optimizer_.ask(pending) != std::optional(replay.suggested.at(ask.trial).point)) ++replay.differed;
    }
}

journal::Trial& Coordinator::started(InFlight& in_flight, std::int64_t id) {
    const auto found = in_flight.find(id);
    if (found == in_flight.end()) throw journal::JournalError(fmt::format("trial {} has no trial_suggested record before", id));
    return found->second;
}

// The optimizer would take a point of another dimension, or outside the unit cube, as a fault.
void Coordinator::check_fits_space(const journal::Trial& trial) const {
    const bool fits = trial.point.size() == spec_.space.size() &&
                      std::all_of(trial.point.begin(), trial.point.end(), [](double x) { return x >= 0 && x <= 1; });
    if (!fits) throw journal::JournalError(fmt::format("trial {}'s point does not lie in the spec's space", trial.id));
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
        report_progress();
    });
    executor_.interrupt_when([this] { return interruption_ || interruption_due(); });
    journal_.append(resumed_record_ ? *resumed_record_
                                    : journal::run_started(spec_.document, spec::fingerprint(spec_.document), version, fom_name_));
    std::vector<int> idle;
    for (int group = executor_.groups() - 1; group >= 0; --group) idle.push_back(group);

    std::optional<std::string> reason;
    bool exhausted = false;
    while (true) {
        if (!interruption_) {
            if (const auto due = interruption_due()) interrupt(*due);
        }
        if (interruption_) reason = interruption_;
        if (!reason) reason = stop_reason();
        dispatch(idle, reason, exhausted);
        if (exhausted && !reason) reason = "search space exhausted";
        if (running_.empty() || (interruption_ && Clock::now() >= grace_end_)) break;
        ask_ahead(idle, reason);
        report_progress();
        // The first result to come, then every other one already there.
        for (auto finished = executor_.wait(poll_s); finished; finished = executor_.wait(0)) {
            record(*finished);
            idle.push_back(finished->group);
        }
    }
    return conclude(*reason);
}

// The end of the search: the groups sent away (unless some are still busy past the grace), the
// results flushed, and the journal's last records.
SearchOutcome Coordinator::conclude(const std::string& reason) {
    if (running_.empty()) {
        executor_.shutdown();
    } else {
        notify(fmt::format("{} trial(s) did not stop within the grace of {} s; they run again when the search is resumed",
                           running_.size(), spec_.budget.grace_s));
    }
    report_progress();
    results_.flush();
    const SearchOutcome outcome{reason, progress_, metrics_, interruption_.has_value(), static_cast<std::int64_t>(running_.size())};
    if (outcome.interrupted) {
        std::vector<std::int64_t> unfinished = interrupted_;
        for (const auto& [group, running] : running_) unfinished.push_back(running.trial.id);
        for (const Repeat& repeat : again_) unfinished.push_back(repeat.trial.id);
        std::sort(unfinished.begin(), unfinished.end());
        journal_.append(journal::run_interrupted(unfinished));
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
