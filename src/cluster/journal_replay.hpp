#pragma once
// A run's journal replayed into a fresh optimizer, for `hpopt resume`: every ask (every batch of
// asks) is made again when the optimizer has been told as many results, with the same trials
// pending, as when the journal's suggestions were made (so that the resumed search makes the suggestions of one never
// stopped), and every result is told in the journal's order: a finished trial's, and the FoM a
// trial was paused at by early stopping's promote mode, and with tell_stopped "rungs" the FoM
// of a trial at each rung.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/journal/trial.hpp"
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/spec/spec.hpp"

namespace hpopt::cluster {

class JournalReplay {
public:
    // Called for each finished trial in the journal's order: it tells the optimizer and counts it.
    using OnFinished = std::function<void(const journal::Trial& trial, const journal::TrialResult& result)>;
    // Called for each trial_paused record: it tells the optimizer the FoM the trial paused at.
    using OnPaused = std::function<void(const journal::Trial& trial, std::int64_t epoch, double fom)>;
    // Called for each rung_reached record: it tells the optimizer the trial's FoM at the rung.
    using OnRung = std::function<void(const journal::Trial& trial, std::int64_t epoch, double fom)>;

    JournalReplay(const spec::Spec& spec, optim::Optimizer& optimizer, OnFinished on_finished, OnPaused on_paused, OnRung on_rung);

    // A record that cannot be replayed (fields missing, a point outside the space, a trial
    // finished before it started) throws journal::JournalError naming its line.
    void replay(const std::vector<Json>& records);

    // The trials suggested and not finished, by id: they run again first (but for those early
    // stopping stopped or paused).
    const std::map<std::int64_t, journal::Trial>& in_flight() const { return in_flight_; }
    std::int64_t next_trial_id() const { return next_trial_id_; }
    // How many suggestions made again differed from the journal's (none but for an optimizer
    // that is not deterministic): those trials keep the journal's parameters.
    std::int64_t differed() const { return differed_; }

private:
    // Suggestions asked in one batch (one ask, in journals written before batches).
    struct Ask {
        std::vector<std::int64_t> trials;
        std::vector<std::int64_t> pending;  // the trials running when it was asked
        std::int64_t told;                  // how many results the optimizer had by then
    };

    void collect_suggestion(const Json& record);
    std::vector<std::int64_t> pending_of(const Json& record);
    void follow(const Json& record);
    void ask_again(std::int64_t told);
    journal::Trial& started(std::int64_t id);
    void check_fits_space(const journal::Trial& trial) const;

    const spec::Spec& spec_;
    optim::Optimizer& optimizer_;
    OnFinished on_finished_;
    OnPaused on_paused_;
    OnRung on_rung_;
    std::map<std::int64_t, journal::Trial> suggested_;  // every trial of the journal
    std::vector<Ask> asks_;                             // in the order they are made again
    std::optional<std::vector<std::int64_t>> last_pending_;  // first pass: the last batch's, in id order
    std::size_t asked_ = 0;                             // how many of them were made again
    std::int64_t told_records_ = 0;                     // first pass: records of results told seen
    std::int64_t told_ = 0;                             // second pass: results told
    std::map<std::int64_t, journal::Trial> in_flight_;
    std::set<std::int64_t> finished_;
    std::int64_t next_trial_id_ = 0;
    std::int64_t differed_ = 0;
};

}  // namespace hpopt::cluster
