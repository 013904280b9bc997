#include "cluster/journal_replay.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include <fmt/format.h>

#include "hpopt/journal/journal.hpp"
#include "hpopt/journal/journal_reader.hpp"

namespace hpopt::cluster {
namespace {

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

// The records of what the optimizer was told: asks count them.
bool tells(std::optional<journal::Event> event) {
    return event == journal::Event::trial_finished || event == journal::Event::trial_paused || event == journal::Event::rung_reached;
}

}  // namespace

JournalReplay::JournalReplay(const spec::Spec& spec, optim::Optimizer& optimizer, OnFinished on_finished, OnPaused on_paused,
                             OnRung on_rung)
    : spec_(spec),
      optimizer_(optimizer),
      on_finished_(std::move(on_finished)),
      on_paused_(std::move(on_paused)),
      on_rung_(std::move(on_rung)) {}

void JournalReplay::replay(const std::vector<Json>& records) {
    each_record(records, [&](const Json& record) { collect_suggestion(record); });
    std::stable_sort(asks_.begin(), asks_.end(), [](const Ask& a, const Ask& b) { return a.told < b.told; });
    each_record(records, [&](const Json& record) { follow(record); });
    ask_again(std::numeric_limits<std::int64_t>::max());
}

// First pass: every suggestion, with the trials pending and the results told when it was asked
// (a journal written before hpopt kept them: as its records' order says).
void JournalReplay::collect_suggestion(const Json& record) {
    const std::optional<journal::Event> event = journal::event_of(record);
    if (tells(event)) ++told_records_;
    if (event != journal::Event::trial_suggested) return;
    const journal::Trial trial = journal::suggested_trial(record);
    check_fits_space(trial);
    suggested_[trial.id] = trial;
    const bool pending_told = record.contains("pending") || record.contains("pending_added");
    if (record.contains("told") && !pending_told) {  // the next of a batch
        if (asks_.empty()) throw journal::JournalError("a suggestion of a batch whose first is not in the journal");
        asks_.back().trials.push_back(trial.id);
        return;
    }
    Ask ask{{trial.id}, {}, told_records_};
    if (record.contains("told")) {
        ask.told = journal::integer_field(record, "told");
        ask.pending = pending_of(record);
    } else {
        for (const auto& [id, earlier] : suggested_) {  // unfinished ones: see ask_again
            if (id != trial.id) ask.pending.push_back(id);
        }
    }
    asks_.push_back(std::move(ask));
}

// A batch's pending trials: listed, or changed from the last batch's (see journal::Asked).
std::vector<std::int64_t> JournalReplay::pending_of(const Json& record) {
    std::vector<std::int64_t> pending;
    if (record.contains("pending")) {
        pending = record.at("pending").get<std::vector<std::int64_t>>();
    } else {
        if (!last_pending_) throw journal::JournalError("a change of pending trials with no batch before it");
        auto added = record.at("pending_added").get<std::vector<std::int64_t>>();
        auto removed = record.at("pending_removed").get<std::vector<std::int64_t>>();
        std::sort(added.begin(), added.end());
        std::sort(removed.begin(), removed.end());
        std::vector<std::int64_t> kept;
        std::set_difference(last_pending_->begin(), last_pending_->end(), removed.begin(), removed.end(), std::back_inserter(kept));
        std::merge(kept.begin(), kept.end(), added.begin(), added.end(), std::back_inserter(pending));
    }
    std::vector<std::int64_t> sorted = pending;  // journals of before may list them in another order
    std::sort(sorted.begin(), sorted.end());
    last_pending_ = std::move(sorted);
    return pending;
}

// Second pass: the records in order, each ask made again once the optimizer has been told as
// much as it had been then.
void JournalReplay::follow(const Json& record) {
    const std::optional<journal::Event> event = journal::event_of(record);
    if (event == journal::Event::trial_suggested) {
        const journal::Trial& trial = suggested_.at(journal::integer_field(record, "trial"));
        in_flight_[trial.id] = trial;
        next_trial_id_ = std::max(next_trial_id_, trial.id + 1);
    } else if (event == journal::Event::trial_attempt_failed) {
        const std::int64_t attempt = journal::integer_field(record, "attempt");
        if (attempt < 0 || attempt > spec_.budget.max_retries) throw journal::JournalError("an attempt beyond budget.max_retries");
        started(journal::integer_field(record, "trial")).attempt = static_cast<int>(attempt) + 1;
    } else if (event == journal::Event::trial_finished) {
        const journal::TrialResult result = journal::finished_result(record);
        if (result.ok() && !std::isfinite(result.fom)) throw journal::JournalError("a trial finished ok without a finite FoM");
        ask_again(told_);
        const journal::Trial trial = started(result.id);
        on_finished_(trial, result);
        ++told_;
        in_flight_.erase(result.id);
        finished_.insert(result.id);
    } else if (event == journal::Event::trial_paused) {
        ask_again(told_);
        on_paused_(started(journal::integer_field(record, "trial")), journal::integer_field(record, "epoch"),
                   config::number_from_json(record.at("fom")));
        ++told_;
    } else if (event == journal::Event::rung_reached) {
        ask_again(told_);
        on_rung_(started(journal::integer_field(record, "trial")), journal::integer_field(record, "epoch"),
                 config::number_from_json(record.at("fom")));
        ++told_;
    }
}

// The asks made when the optimizer had been told `told` results or fewer, made again.
void JournalReplay::ask_again(std::int64_t told) {
    for (; asked_ < asks_.size() && asks_[asked_].told <= told; ++asked_) {
        const Ask& ask = asks_[asked_];
        std::vector<optim::Point> pending;
        for (std::int64_t id : ask.pending) {
            const auto found = suggested_.find(id);
            if (found == suggested_.end()) throw journal::JournalError(fmt::format("trial {} was pending but never suggested", id));
            if (!finished_.count(id)) pending.push_back(found->second.point);
        }
        const std::vector<optim::Point> batch = optimizer_.ask_batch(pending, ask.trials.size());
        for (std::size_t i = 0; i < ask.trials.size(); ++i) {
            if (i >= batch.size() || batch[i] != suggested_.at(ask.trials[i]).point) ++differed_;
        }
    }
}

journal::Trial& JournalReplay::started(std::int64_t id) {
    const auto found = in_flight_.find(id);
    if (found == in_flight_.end()) throw journal::JournalError(fmt::format("trial {} has no trial_suggested record before", id));
    return found->second;
}

// The optimizer would take a point of another dimension, or outside the unit cube, as a fault.
void JournalReplay::check_fits_space(const journal::Trial& trial) const {
    const bool fits = trial.point.size() == spec_.space.size() &&
                      std::all_of(trial.point.begin(), trial.point.end(), [](double x) { return x >= 0 && x <= 1; });
    if (!fits) throw journal::JournalError(fmt::format("trial {}'s point does not lie in the spec's space", trial.id));
}

}  // namespace hpopt::cluster
