#include "hpopt/cluster/coordinator.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "cluster/journal_replay.hpp"
#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/log/log.hpp"
#include "hpopt/pareto/front.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::cluster {
namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// How long to wait for a result before looking at the stop conditions again.
constexpr double poll_s = 0.25;

}  // namespace

std::string to_string(StopReason reason) {
    switch (reason) {
        case StopReason::trial_budget: return "trial budget reached";
        case StopReason::epoch_budget: return "epoch budget reached";
        case StopReason::target: return "target reached";
        case StopReason::exhausted: return "search space exhausted";
        case StopReason::wall_time: return "wall time reached";
        case StopReason::interrupted: return "interrupted";
        case StopReason::groups_lost: return "every group lost";
    }
    return "?";
}

double SearchProgress::utilization() const { return elapsed_s > 0 ? busy_group_s / (groups * elapsed_s) : 0.0; }

double SearchMetrics::mean_dispatch_latency_s() const {
    return redispatches ? dispatch_latency_s / static_cast<double>(redispatches) : 0.0;
}

double SearchMetrics::model_s_per_suggestion() const { return suggested ? model_s / static_cast<double>(suggested) : 0.0; }

Coordinator::Coordinator(const spec::Spec& spec, optim::Optimizer& optimizer, Executor& executor,
                         journal::Journal& journal, journal::ResultsFiles& results, std::string fom_name)
    : spec_(spec),
      optimizer_(optimizer),
      executor_(executor),
      journal_(journal),
      results_(results),
      fom_name_(std::move(fom_name)),
      suggestions_(optimizer, executor.model_worker(), [&executor] { return executor.now(); }),
      fold_means_(spec.layout.folds),
      early_stopping_(fidelity::make_early_stopping(spec.early_stopping)),
      rungs_(spec.early_stopping.min_epochs, spec.early_stopping.reduction_factor) {}

// Why the search ends once the running trials have finished.
std::optional<StopReason> Coordinator::budget_spent() const {
    const spec::Budget& budget = spec_.budget;
    if (budget.target && progress_.best && spec_.objective.reached(progress_.best->result.fom, *budget.target)) {
        return StopReason::target;
    }
    if (budget.trials && next_id_ >= *budget.trials && reruns_.empty() && !promotion_due()) return StopReason::trial_budget;
    if (budget.epochs && epochs_spent() >= *budget.epochs && reruns_.empty()) return StopReason::epoch_budget;
    return std::nullopt;
}

std::int64_t Coordinator::epochs_spent() const { return fold_means_.epochs() + trials_without_epochs_; }

// Why the search stops without waiting for the running trials to finish.
std::optional<StopReason> Coordinator::interruption_due() const {
    if (stop_requested_ && stop_requested_()) return StopReason::interrupted;
    if (spec_.budget.wall_time_s && seconds(executor_.now() - start_) >= *spec_.budget.wall_time_s) return StopReason::wall_time;
    return std::nullopt;
}

void Coordinator::interrupt(StopReason reason) {
    interruption_ = reason;
    grace_end_ = executor_.now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec_.budget.grace_s));
    if (running_.empty()) {
        notify(to_string(reason) + ": no new trials");
        return;
    }
    executor_.interrupt();
    notify(fmt::format("{}: no new trials; waiting up to {} s for {} running trial(s) to stop at their next step",
                       to_string(reason), spec_.budget.grace_s, running_.size()));
}

void Coordinator::notify(const std::string& notice) const {
    if (on_notice_) on_notice_(notice);
}

// Keeps enough suggestions ready, or being asked, for the idle groups and (with several groups)
// for those that will report while the next batch is asked. A batch asks for no fewer than those:
// each costs the model a fit and a scoring of candidates, and batches too small to last until
// the next one is ready would leave groups waiting when trials are short.
void Coordinator::ask_ahead() {
    suggestions_.collect();
    if (suggestions_.asking() || stop_reason_ || suggestions_.dry()) return;
    const std::size_t ahead = suggestions_ahead();
    const std::size_t wanted = idle_.size() + ahead;
    const std::size_t ready = suggestions_.ready();
    if (ready >= wanted) return;
    std::size_t count = std::max(wanted - ready, ahead);
    if (const auto& trials = spec_.budget.trials) {
        const std::int64_t room = *trials - next_id_ - static_cast<std::int64_t>(ready);
        count = std::min(count, static_cast<std::size_t>(std::max<std::int64_t>(room, 0)));
    }
    if (count == 0) return;
    std::vector<const journal::Trial*> by_id;
    for (const auto& [group, running] : running_) by_id.push_back(&running.trial);
    std::sort(by_id.begin(), by_id.end(), [](const journal::Trial* a, const journal::Trial* b) { return a->id < b->id; });
    Pending pending;
    for (const journal::Trial* trial : by_id) {
        pending.trials.push_back(trial->id);
        pending.points.push_back(trial->point);
    }
    suggestions_.ask(count, pending, next_id_);
    suggestions_.collect();  // done already when the worker runs it at once
}

// With several groups, twice the suggestions the busy groups will need while a batch is asked (at
// the rate they have reported lately), at least one and at most four rounds. A single group asks
// when it reports, so that its suggestion knows every result.
std::size_t Coordinator::suggestions_ahead() const {
    if (executor_.groups() == 1) return 0;
    const double reports_per_s = mean_trial_s_ > 0 ? static_cast<double>(running_.size()) / mean_trial_s_ : 0;
    const double ahead = std::ceil(2 * reports_per_s * suggestions_.batch_latency_s());
    return static_cast<std::size_t>(std::clamp(ahead, 1.0, 4.0 * executor_.groups()));
}

// How long to wait for results: briefly while an idle group waits for the optimizer's batch.
double Coordinator::wait_s() const {
    const bool group_waits = !idle_.empty() && suggestions_.ready() == 0 && suggestions_.asking();
    return group_waits ? std::min(poll_s, suggestions_.until_done_s()) : poll_s;
}

// The next trial for `group`, journaled (not yet synced): one to run again, a promotion, or a
// suggestion (asked now if none is ready); nullopt when none is ready.
std::optional<journal::Trial> Coordinator::prepare(int group) {
    if (!reruns_.empty()) {
        const auto [trial, cause] = reruns_.front();
        reruns_.pop_front();
        journal_.append(cause == Rerun::Cause::retry ? journal::trial_retried_record(trial.id, group, trial.attempt)
                                                     : journal::trial_resumed_record(trial.id, group),
                        journal::Journal::Sync::later);
        running_[group] = {trial, executor_.now()};
        return trial;
    }
    if (auto promoted = promote(group)) return promoted;
    if (!suggestions_.ready()) ask_ahead();
    const std::optional<Suggestion> suggestion = suggestions_.pop();
    if (!suggestion) return std::nullopt;

    const std::int64_t id = next_id_++;
    const std::uint64_t trials_seed = random::derive_seed(spec_.seed, random::stream::trials);
    const journal::Trial trial{id, spec_.space.decode(suggestion->point), suggestion->point,
                               random::derive_seed(trials_seed, static_cast<std::uint64_t>(id))};
    journal_.append(journal::trial_suggested_record(trial, group, suggestion->asked), journal::Journal::Sync::later);
    log::debug("trial {} -> group {}: {}", id, group, trial.params.dump());
    running_[group] = {trial, executor_.now()};
    return trial;
}

// Hands trials to idle groups while the search goes on. One fsync covers all the records
// written since the last one (results and suggestions) before any trial leaves.
void Coordinator::dispatch() {
    std::vector<std::pair<int, journal::Trial>> outgoing;
    while (!stop_reason_ && !exhausted_ && !idle_.empty()) {
        const auto trial = prepare(idle_.back());
        if (!trial) {
            // Unless a batch is coming, or the optimizer waits for a result.
            exhausted_ = running_.empty() && !suggestions_.asking() && suggestions_.dry();
            break;
        }
        outgoing.emplace_back(idle_.back(), *trial);
        idle_.pop_back();
        stop_reason_ = budget_spent();
    }
    ask_ahead();
    if (outgoing.empty()) return;
    journal_.sync();
    for (const auto& [group, trial] : outgoing) {
        executor_.start(group, trial);
        const auto now = executor_.now();
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
    const auto now = executor_.now();
    const Running running = running_.at(finished.group);
    running_.erase(finished.group);
    const double ran_s = seconds(now - running.dispatched);
    mean_trial_s_ = mean_trial_s_ > 0 ? 0.9 * mean_trial_s_ + 0.1 * ran_s : ran_s;
    idle_since_[finished.group] = now;
    idle_.push_back(finished.group);
    finished_busy_s_ += finished.result.duration_s;

    journal::TrialResult result = finished.result;
    result.id = running.trial.id;
    log::debug("trial {} <- group {}: {} {:.6g}{}", result.id, finished.group, journal::to_string(result.status), result.fom,
               result.reason.empty() ? "" : ": " + result.reason);
    result.started_s = seconds(running.dispatched - start_);
    if (const auto stopped = stopped_at_.find(result.id); stopped != stopped_at_.end() && result.status == journal::TrialStatus::stopped) {
        result.fom = stopped->second.fom;  // the FoM it was judged by, its folds' mean at that epoch
        result.stopped_epoch = stopped->second.epoch;
    }
    fail_without_objectives(result);
    const bool paused = paused_at_.count(result.id) > 0;
    if (paused && result.status == journal::TrialStatus::stopped) {
        park(running.trial);
    } else if (result.status == journal::TrialStatus::interrupted) {
        journal_.append(journal::trial_interrupted_record(result.id, result.reason), journal::Journal::Sync::later);
        interrupted_.push_back(result.id);
        // A group that had a stop signal of its own stops the search too.
        if (!interruption_) interrupt(interruption_due().value_or(StopReason::interrupted));
    } else {
        settle(running.trial, result);
    }
    report_progress();
}

// A failure that may not happen again runs again while budget.max_retries allows; any other
// result is final.
void Coordinator::settle(const journal::Trial& trial, const journal::TrialResult& result) {
    paused_at_.erase(trial.id);  // a pause it did not hear of before it ended
    if (result.status == journal::TrialStatus::failed && result.transient && trial.attempt < spec_.budget.max_retries) {
        retry(trial, result);
    } else {
        finish(trial, result);
    }
}

// An epoch a running trial reported: journaled, and once each of the trial's folds has reported
// it, judged by early stopping. A trial that goes on from its checkpoint reports its epochs
// again: the first report counts.
void Coordinator::take_epoch(const journal::EpochReport& report) {
    if (fold_means_.seen(report)) return;
    journal_.append(journal::epoch_finished_record(report), journal::Journal::Sync::later);
    progress_.last_epoch = report;
    if (const auto mean = fold_means_.add(report)) {
        tell_rung(report.trial, report.epoch, *mean);
        judge(report.trial, report.epoch, *mean);
    }
    report_progress();
}

// The group running `trial`, or running_.end().
std::map<int, Coordinator::Running>::iterator Coordinator::running_trial(std::int64_t trial) {
    return std::find_if(running_.begin(), running_.end(), [&](const auto& entry) { return entry.second.trial.id == trial; });
}

// Early stopping's verdict on a trial's epoch (its folds' mean); none once it is stopped or
// paused, for the epochs it may train before it hears so.
std::optional<fidelity::Cut> Coordinator::verdict(std::int64_t trial, std::int64_t epoch, double fom) {
    if (!early_stopping_ || stopped_at_.count(trial) || paused_at_.count(trial)) return std::nullopt;
    return early_stopping_->judge(trial, epoch, spec_.objective.loss(fom));
}

// With tell_stopped "rungs", the optimizer learns a running trial's FoM at each rung epoch (but
// for the epochs a stopped or paused trial trains before it hears so).
void Coordinator::tell_rung(std::int64_t trial, std::int64_t epoch, double fom) {
    if (spec_.early_stopping.tell_stopped != fidelity::EarlyStoppingSettings::TellStopped::rungs) return;
    if (!rungs_.is_rung(epoch) || stopped_at_.count(trial) || paused_at_.count(trial)) return;
    const auto running = running_trial(trial);
    if (running == running_.end()) return;
    journal_.append(journal::rung_reached_record(trial, epoch, fom), journal::Journal::Sync::later);
    told_rung(running->second.trial, epoch, fom);
}

void Coordinator::told_rung(const journal::Trial& trial, std::int64_t epoch, double fom) {
    suggestions_.tell_rung(trial.point, epoch, spec_.objective.loss(fom));
}

// A running trial that early stopping stops (or pauses) is asked to stop at its next step (a
// trial that finishes first keeps its result). The optimizer hears of a paused trial at once.
void Coordinator::judge(std::int64_t trial, std::int64_t epoch, double fom) {
    const auto cut = verdict(trial, epoch, fom);
    if (!cut) return;
    const auto running = running_trial(trial);
    if (running == running_.end()) return;  // finished or given up meanwhile
    const double cut_fom = spec_.objective.loss(cut->loss);  // a loss is ±FoM: its own inverse
    const bool pause = spec_.early_stopping.mode == fidelity::EarlyStoppingSettings::Mode::promote;
    (pause ? paused_at_ : stopped_at_)[trial] = {epoch, fom};
    journal_.append(pause ? journal::trial_paused_record(trial, epoch, fom, cut_fom, cut->basis)
                          : journal::trial_stopped_early_record(trial, epoch, fom, cut_fom, cut->basis),
                    journal::Journal::Sync::later);
    log::debug("trial {} {} at epoch {}: {:.6g} is worse than {:.6g}, {}", trial, pause ? "paused" : "stopped early", epoch, fom,
               cut_fom, cut->basis);
    if (pause) tell(running->second.trial, stopped_fom_told(fom), epoch);
    executor_.stop_early(running->first, trial);
}

// A paused trial its group has left, keeping its checkpoint: a candidate for promotion.
void Coordinator::park(const journal::Trial& trial) {
    journal_.append(journal::trial_parked_record(trial.id), journal::Journal::Sync::later);
    paused_[trial.id] = trial;
    early_stopping_->hold(trial.id);
}

bool Coordinator::promotion_due() const { return early_stopping_ && early_stopping_->promotion(); }

// The paused trial that now qualifies, handed to `group` to go on from its checkpoint.
std::optional<journal::Trial> Coordinator::promote(int group) {
    const auto id = early_stopping_ ? early_stopping_->promotion() : std::nullopt;
    if (!id) return std::nullopt;
    const journal::Trial trial = paused_.at(*id);  // only parked trials are held
    paused_.erase(*id);
    paused_at_.erase(*id);
    early_stopping_->withdraw(*id);
    journal_.append(journal::trial_promoted_record(*id, group), journal::Journal::Sync::later);
    log::debug("trial {} promoted -> group {}", *id, group);
    running_[group] = {trial, executor_.now()};
    return trial;
}

// Groups past their trial's deadline and the grace, or silent too long, are hung. (While the
// search is interrupted, the grace decides alone.)
void Coordinator::give_up_hung_groups() {
    if (interruption_) return;
    const spec::Budget& budget = spec_.budget;
    const auto now = executor_.now();
    std::vector<std::pair<int, std::string>> hung;
    for (const auto& [group, running] : running_) {
        const double ran_s = seconds(now - running.dispatched);
        if (budget.trial_timeout_s && ran_s > *budget.trial_timeout_s + budget.grace_s) {
            hung.emplace_back(group, fmt::format("group {} hung: no result {:.0f} s after the trial's deadline of {} s", group,
                                                 ran_s - *budget.trial_timeout_s, *budget.trial_timeout_s));
        } else if (const auto silent = executor_.silent_s(group); silent && *silent > budget.silence_limit_s) {
            hung.emplace_back(group, fmt::format("group {} hung: silent for {:.0f} s (budget.silence_limit_s {})", group, *silent,
                                                 budget.silence_limit_s));
        }
    }
    for (const auto& [group, reason] : hung) lose_group(group, reason);
}

// A hung group's trial fails as a fault (it may run again on another group) and the group gets
// nothing more.
void Coordinator::lose_group(int group, const std::string& reason) {
    const auto now = executor_.now();
    const Running running = running_.at(group);
    running_.erase(group);
    executor_.abandon(group);
    lost_groups_.insert(group);
    journal_.append(journal::group_lost_record(group, running.trial.id, reason), journal::Journal::Sync::later);
    notify(fmt::format("{}: trial {} fails, and the group gets no more trials", reason, running.trial.id));

    journal::TrialResult result;
    result.id = running.trial.id;
    result.status = journal::TrialStatus::failed;
    result.reason = reason;
    result.transient = true;
    result.started_s = seconds(running.dispatched - start_);
    result.duration_s = seconds(now - running.dispatched);
    finished_busy_s_ += result.duration_s;
    settle(running.trial, result);
    report_progress();
}

void Coordinator::report_progress() {
    const auto now = executor_.now();
    progress_.running = static_cast<std::int64_t>(running_.size());
    progress_.elapsed_s = seconds(now - start_);
    progress_.groups = executor_.groups();
    progress_.lost_groups = static_cast<int>(lost_groups_.size());
    progress_.epochs = epochs_spent();
    progress_.paused = static_cast<std::int64_t>(paused_.size());
    progress_.busy_group_s = finished_busy_s_;
    for (const auto& [group, running] : running_) progress_.busy_group_s += seconds(now - running.dispatched);
    if (on_progress_) on_progress_(progress_);
}

// A failure that may not happen again: the trial runs again before any new one, with the same
// parameters and seed (from its last checkpoint), the optimizer none the wiser.
void Coordinator::retry(journal::Trial trial, const journal::TrialResult& result) {
    journal_.append(journal::trial_attempt_failed_record(result, trial.attempt), journal::Journal::Sync::later);
    ++trial.attempt;
    notify(fmt::format("trial {} failed ({}); running it again, attempt {} of {}", trial.id, result.reason, trial.attempt + 1,
                       spec_.budget.max_retries + 1));
    reruns_.push_front({trial, Rerun::Cause::retry});
}

void Coordinator::finish(const journal::Trial& trial, const journal::TrialResult& result) {
    journal_.append(journal::trial_finished_record(result), journal::Journal::Sync::later);
    const auto told = executor_.now();
    tell_finished(trial, result);
    metrics_.tell_s += seconds(executor_.now() - told);

    const std::int64_t previous_best = progress_.best ? progress_.best->trial.id : -1;  // ids start at 0
    account(trial, result);
    const bool now_best = progress_.best && progress_.best->trial.id == trial.id;
    if (!now_best) {
        remove_checkpoints(trial.id);
    } else if (previous_best >= 0) {
        remove_checkpoints(previous_best);
    }
}

// What the optimizer learns of a finished trial: its FoM, none for a failure or a trial that
// misses a constraint; for a trial stopped early, what stopped_fom_told says.
std::optional<double> Coordinator::told_fom(const journal::TrialResult& result) const {
    if (result.ok()) return spec_.objective.feasible(result.figures) ? std::optional(result.fom) : std::nullopt;
    if (result.status == journal::TrialStatus::stopped) return stopped_fom_told(result.fom);
    return std::nullopt;
}

std::optional<std::int64_t> Coordinator::stopped_epoch_of(const journal::TrialResult& result) {
    if (result.status != journal::TrialStatus::stopped) return std::nullopt;
    return result.stopped_epoch;
}

// The FoM a trial was stopped or paused at, unless the spec says to tell nothing.
std::optional<double> Coordinator::stopped_fom_told(double fom) const {
    if (spec_.early_stopping.tell_stopped == fidelity::EarlyStoppingSettings::TellStopped::nothing) return std::nullopt;
    return fom;
}

// With several objectives, the optimizer learns each one's loss beside the FoM's.
void Coordinator::tell_finished(const journal::Trial& trial, const journal::TrialResult& result) {
    const std::optional<double> fom = told_fom(result);
    std::vector<double> losses;
    if (fom && spec_.objective.several()) losses = spec_.objective.losses(*fom, result.figures);
    tell(trial, fom, stopped_epoch_of(result), std::move(losses));
}

// The optimizer learns a FoM as a loss (it minimizes). A trial paused and promoted is told again
// when it finishes: the optimizer takes the later for the earlier.
void Coordinator::tell(const journal::Trial& trial, std::optional<double> fom, std::optional<std::int64_t> stopped_epoch,
                       std::vector<double> losses) {
    const bool again = !told_trials_.insert(trial.id).second;
    suggestions_.tell({trial.point, fom ? std::optional(spec_.objective.loss(*fom)) : std::nullopt, again, stopped_epoch, std::move(losses)});
}

// A finished trial in the results, the counts and the best so far.
void Coordinator::account(const journal::Trial& trial, const journal::TrialResult& result) {
    results_.add(trial, result);
    ++progress_.finished;
    if (result.status == journal::TrialStatus::failed) ++progress_.failed;
    if (result.status == journal::TrialStatus::stopped) ++progress_.stopped;
    const bool reported_epochs = !result.epoch_foms.empty() || result.status == journal::TrialStatus::stopped;
    if (!reported_epochs) ++trials_without_epochs_;
    if (new_best(result)) {
        progress_.best = BestTrial{trial, result};
        results_.write_best(trial, result, fom_name_);
    }
    update_front(trial, result);
}

// With several objectives, a trial that ends without reporting each of them cannot be compared
// with the others: it fails, saying which it left out.
void Coordinator::fail_without_objectives(journal::TrialResult& result) const {
    if (!result.ok() || !spec_.objective.several()) return;
    const std::vector<std::string> missing = spec_.objective.unreported(result.figures);
    if (missing.empty()) return;
    result.status = journal::TrialStatus::failed;
    result.reason = fmt::format("reported no finite figure {} (an objective)", fmt::join(missing, ", "));
    result.transient = false;
}

// With several objectives, a feasible trial that no member of the Pareto front dominates or
// equals joins it and pushes out those it dominates; pareto.json follows.
void Coordinator::update_front(const journal::Trial& trial, const journal::TrialResult& result) {
    if (!spec_.objective.several() || !result.ok() || !spec_.objective.feasible(result.figures)) return;
    const auto losses_of = [this](const BestTrial& member) { return spec_.objective.losses(member.result.fom, member.result.figures); };
    const auto losses = spec_.objective.losses(result.fom, result.figures);
    auto& front = progress_.front;
    const bool beaten = std::any_of(front.begin(), front.end(), [&](const BestTrial& member) {
        const auto other = losses_of(member);
        return other == losses || pareto::dominates(other, losses);
    });
    if (beaten) return;
    front.erase(std::remove_if(front.begin(), front.end(), [&](const BestTrial& member) { return pareto::dominates(losses, losses_of(member)); }),
                front.end());
    const auto place = std::upper_bound(front.begin(), front.end(), losses, [&](const auto& l, const BestTrial& member) { return l < losses_of(member); });
    front.insert(place, BestTrial{trial, result});
    results_.write_pareto(pareto_document());
}

Json Coordinator::pareto_document() const {
    Json objectives = Json::array();
    for (const spec::Criterion& criterion : spec_.objective.criteria) {
        objectives.push_back({{"name", criterion.name}, {"direction", spec::to_string(criterion.direction)}});
    }
    Json trials = Json::array();
    for (const BestTrial& member : progress_.front) {
        const std::vector<double> values = spec_.objective.values(member.result.fom, member.result.figures);
        Json named = Json::object();
        for (std::size_t j = 0; j < values.size(); ++j) named[spec_.objective.criteria[j].name] = values[j];
        trials.push_back({{"trial", member.trial.id}, {"objectives", named}, {"fom", member.result.fom},
                          {"figures", member.result.figures}, {"params", member.trial.params}});
    }
    return {{"objectives", objectives}, {"fom_name", fom_name_}, {"trials", trials}};
}

// The best trial is among those trained to their last epoch that meet the constraints; before
// there is one, among those stopped early (by the FoM they were stopped at).
bool Coordinator::new_best(const journal::TrialResult& result) const {
    if (!result.has_fom() || (result.ok() && !spec_.objective.feasible(result.figures))) return false;
    if (!progress_.best) return true;
    const journal::TrialResult& best = progress_.best->result;
    if (result.ok() != best.ok()) return result.ok();
    return spec_.objective.better(result.fom, best.fom);
}

std::int64_t Coordinator::resume(const std::vector<Json>& records, const std::string& dropped) {
    const auto finished = [this](const journal::Trial& trial, const journal::TrialResult& result) {
        tell_finished(trial, result);
        account(trial, result);
    };
    const auto paused = [this](const journal::Trial& trial, std::int64_t epoch, double fom) {
        tell(trial, stopped_fom_told(fom), epoch);
    };
    const auto at_rung = [this](const journal::Trial& trial, std::int64_t epoch, double fom) { told_rung(trial, epoch, fom); };
    JournalReplay replay(spec_, optimizer_, finished, paused, at_rung);
    replay.replay(records);
    replay_epochs(records);
    next_id_ = replay.next_trial_id();
    std::vector<std::int64_t> ids;
    for (const auto& [id, trial] : replay.in_flight()) {
        if (stopped_at_.count(id)) {
            stopped_in_flight_.push_back(trial);  // a stopped trial stays stopped
            continue;
        }
        if (paused_at_.count(id)) {  // a paused one waits for its promotion
            paused_[id] = trial;
            early_stopping_->hold(id);
            continue;
        }
        reruns_.push_back({trial, Rerun::Cause::resume});
        ids.push_back(id);
    }
    resumed_record_ = journal::run_resumed_record(ids, dropped, spec_.layout);
    return replay.differed();
}

// The journal's epochs again, in its order: the epoch budget's count and early stopping's state
// as the run left them, with the verdicts it made (as journaled: the rules see what they saw).
void Coordinator::replay_epochs(const std::vector<Json>& records) {
    const auto judged_at = [](const Json& record) {
        return JudgedAt{journal::integer_field(record, "epoch"), config::number_from_json(record.at("fom"))};
    };
    for (const Json& record : records) {
        const auto event = journal::event_of(record);
        if (!event) continue;
        const auto trial = [&] { return journal::integer_field(record, "trial"); };
        switch (*event) {
            case journal::Event::epoch_finished: {
                const journal::EpochReport report = journal::epoch_report(record);
                if (const auto mean = fold_means_.add(report)) verdict(report.trial, report.epoch, *mean);
                break;
            }
            case journal::Event::trial_stopped_early: stopped_at_[trial()] = judged_at(record); break;
            case journal::Event::trial_paused: paused_at_[trial()] = judged_at(record); break;
            case journal::Event::trial_promoted:
            case journal::Event::trial_attempt_failed:
            case journal::Event::trial_finished: paused_at_.erase(trial()); break;
            default: break;
        }
    }
}

// A trial stopped early whose result the run did not record, or paused and never promoted:
// finished as stopped, with the FoM it was judged by.
void Coordinator::finish_stopped(const journal::Trial& trial, const JudgedAt& at, const std::string& reason) {
    journal::TrialResult result;
    result.id = trial.id;
    result.status = journal::TrialStatus::stopped;
    result.fom = at.fom;
    result.fold_foms = {at.fom};
    result.stopped_epoch = at.epoch;
    result.reason = reason;
    finish(trial, result);
}

void Coordinator::remove_checkpoints(std::int64_t trial_id) const {
    if (checkpoint_root_.empty()) return;
    std::error_code ignored;  // a folder that is not there is as good as removed
    std::filesystem::remove_all(checkpoint_dir(checkpoint_root_, trial_id), ignored);
}

SearchOutcome Coordinator::run(const std::string& version) {
    start_ = executor_.now();
    executor_.report_epochs_to([this](const journal::EpochReport& report) { take_epoch(report); });
    Json started = journal::run_started_record(spec_.document, spec::fingerprint(spec_.document), version, fom_name_);
    if (!simulation_.is_null()) started["simulation"] = simulation_;
    journal_.append(resumed_record_ ? *resumed_record_ : started);
    for (int group = executor_.groups() - 1; group >= 0; --group) idle_.push_back(group);
    for (const journal::Trial& trial : stopped_in_flight_) {
        const JudgedAt& at = stopped_at_.at(trial.id);
        finish_stopped(trial, at, fmt::format("stopped early at epoch {} (its run ended before it said so)", at.epoch));
    }

    while (true) {
        if (!interruption_) {
            if (const auto due = interruption_due()) interrupt(*due);
        }
        // Looked at anew each time: a retry queued after the last trial was handed out goes on.
        stop_reason_ = interruption_ ? interruption_ : budget_spent();
        dispatch();
        if (exhausted_ && !stop_reason_) stop_reason_ = StopReason::exhausted;
        if (running_.empty() && idle_.empty() && !stop_reason_) stop_reason_ = StopReason::groups_lost;
        const bool batch_coming = !stop_reason_ && suggestions_.asking();
        if ((running_.empty() && !batch_coming) || (interruption_ && executor_.now() >= grace_end_)) break;
        report_progress();
        // The first result to come, then every other one already there.
        for (auto finished = executor_.wait(wait_s()); finished; finished = executor_.wait(0)) record(*finished);
        give_up_hung_groups();
    }
    return conclude();
}

// The end of the search: the groups sent away (unless some are still busy past the grace, or
// hung: then the job ends by MPI_Abort, which Open MPI 4.1's launcher has been seen to crash in
// while other ranks finalize), the results flushed, and the journal's last records.
SearchOutcome Coordinator::conclude() {
    const bool unfinished = interruption_ || *stop_reason_ == StopReason::groups_lost;
    if (!unfinished) {  // the paused trials that no promotion reached: they stay where they stopped
        for (const auto& [id, trial] : std::map(paused_)) {
            const JudgedAt at = paused_at_.at(id);
            finish_stopped(trial, at, fmt::format("paused at epoch {} and not promoted before the search ended", at.epoch));
        }
        paused_.clear();
    }
    if (running_.empty() && lost_groups_.empty()) {
        executor_.shutdown();
    } else if (!running_.empty()) {
        notify(fmt::format("{} trial(s) did not stop within the grace of {} s; they run again when the search is resumed",
                           running_.size(), spec_.budget.grace_s));
    }
    report_progress();
    results_.flush();
    metrics_.model_s = suggestions_.model_s();
    metrics_.suggested = suggestions_.suggested();
    const SearchOutcome outcome{*stop_reason_, progress_, metrics_, unfinished,
                                static_cast<std::int64_t>(running_.size() + lost_groups_.size())};
    if (outcome.interrupted) {
        std::vector<std::int64_t> unfinished = interrupted_;
        for (const auto& [group, running] : running_) unfinished.push_back(running.trial.id);
        for (const Rerun& rerun : reruns_) unfinished.push_back(rerun.trial.id);
        std::sort(unfinished.begin(), unfinished.end());
        journal_.append(journal::run_interrupted_record(unfinished));
    }
    journal_.append(journal::run_finished_record(to_string(outcome.stop_reason), to_json(outcome)));
    return outcome;
}

Json to_json(const SearchOutcome& outcome) {
    const SearchProgress& progress = outcome.progress;
    const SearchMetrics& metrics = outcome.metrics;
    Json summary = {{"trials", progress.finished},
                    {"failed", progress.failed},
                    {"stopped", progress.stopped},
                    {"epochs", progress.epochs},
                    {"elapsed_s", progress.elapsed_s},
                    {"groups", progress.groups},
                    {"utilization", progress.utilization()},
                    {"mean_dispatch_latency_s", metrics.mean_dispatch_latency_s()},
                    {"model_s", metrics.model_s},
                    {"suggested", metrics.suggested},
                    {"tell_s", metrics.tell_s}};
    if (progress.best) summary["best"] = {{"trial", progress.best->trial.id}, {"fom", progress.best->result.fom}};
    return summary;
}

}  // namespace hpopt::cluster
