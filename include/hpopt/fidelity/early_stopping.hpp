#pragma once
// Early stopping: the coordinator judges each trial by the FoMs it reports epoch after epoch
// (the mean over its folds) and stops the hopeless ones, so that the search spends its epochs
// on the promising. Three rules:
//   asha    asynchronous successive halving (Li et al., "A System for Massively Parallel
//           Hyperparameter Tuning", MLSys 2020): rungs at min_epochs * reduction_factor^k
//           epochs. Stop mode: a trial reaching a rung goes on only if its FoM is within the
//           best 1/reduction_factor of those recorded at that rung before it, and stops for good
//           otherwise. Promote mode (the paper's own): a trial goes on if it is among the best
//           floor(n/reduction_factor) of the n recorded at the rung, itself included, and pauses
//           there otherwise; a paused trial that the later ones lift into that share is promoted:
//           it goes on from its checkpoint when a group is free.
//   hyperband  several ASHA brackets whose first rungs are min_epochs * reduction_factor^b, b <
//           brackets, trials dealt to them as Hyperband does (Li et al., JMLR 2018: the more
//           aggressive a bracket, the more trials), so that a space where early FoMs mislead is
//           still searched by trials judged late.
//   median  the median stopping rule (Golovin et al., "Google Vizier", KDD 2017): a trial stops
//           at epoch e when its best FoM so far is worse than the median of the other trials'
//           running averages at e.
// Rules see losses (lower is better: the objective's loss of the FoM), so that one code serves
// both directions.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/journal/trial.hpp"

namespace hpopt::fidelity {

struct EarlyStoppingSettings {
    enum class Kind { none, asha, hyperband, median };
    Kind kind = Kind::none;
    std::int64_t min_epochs = 1;   // asha, hyperband: the first rung; median: no stop before this epoch
    double reduction_factor = 3;   // asha, hyperband: each rung keeps the best 1/reduction_factor
    enum class Mode { stop, promote };
    Mode mode = Mode::stop;        // asha, hyperband: what becomes of a trial below a rung's cut
    std::int64_t brackets = 3;     // hyperband: how many ASHA brackets
    std::int64_t min_trials = 3;   // median: other trials that must have reached the epoch
    // What the optimizer learns of a stopped trial: the FoM it was stopped at, nothing (as of a
    // failed trial; its point is not suggested again), or every trial's FoM at each rung it
    // reaches, with the epoch (asha and hyperband: the Bayesian optimizer models the highest rung
    // that enough trials reached, as BOHB does).
    enum class TellStopped { fom, nothing, rungs };
    TellStopped tell_stopped = TellStopped::fom;
};

// Reads the spec's "early_stopping" object.
EarlyStoppingSettings read_early_stopping(config::ObjectReader& reader);
std::string to_string(EarlyStoppingSettings::Kind kind);  // "none", "asha", "hyperband", "median"

// The rungs of asha (and of hyperband's brackets, whose rungs are among them):
// min_epochs * reduction_factor^k epochs, rounded, each at least one epoch past the one before.
class RungLadder {
public:
    RungLadder(std::int64_t min_epochs, double reduction_factor) : min_epochs_(min_epochs), reduction_factor_(reduction_factor) {}
    std::int64_t epoch(std::size_t rung) const;
    bool is_rung(std::int64_t epoch) const;

private:
    std::int64_t min_epochs_;
    double reduction_factor_;
    mutable std::vector<std::int64_t> epochs_;  // of the rungs asked for so far: a memo
};

// The epoch reports of trials whose folds train side by side (or one after another), brought
// together: an epoch counts once every fold of its trial has reported it.
class FoldMeans {
public:
    explicit FoldMeans(int folds) : folds_(folds) {}

    // The mean of the trial's folds at the report's epoch once this report completes it;
    // nothing before, nor for a report seen already (a trial continued from its checkpoint
    // reports its epochs again).
    std::optional<double> add(const journal::EpochReport& report);
    // A report of this trial's fold and epoch was added before.
    bool seen(const journal::EpochReport& report) const { return seen_.count({report.trial, report.fold, report.epoch}) > 0; }
    // Epochs completed so far, over every trial.
    std::int64_t epochs() const { return epochs_; }

private:
    struct Epoch {
        double sum = 0;
        int count = 0;
    };
    int folds_;
    std::set<std::tuple<std::int64_t, int, std::int64_t>> seen_;  // trial, fold, epoch
    std::map<std::pair<std::int64_t, std::int64_t>, Epoch> open_;   // trial, epoch
    std::int64_t epochs_ = 0;
};

// Why a trial stops (or pauses): the loss it was judged by and the rule's cut, with the rule's
// words.
struct Cut {
    double loss;        // the cut: the trial's loss was worse
    std::string basis;  // "the best 1/3 of 7 trials at the rung of epoch 3"
};

class EarlyStopping {
public:
    virtual ~EarlyStopping() = default;
    // A trial's loss after `epoch` (its folds' mean): a Cut when it should stop there.
    // Deterministic in the order of the calls, so that a resume that makes them again in the
    // journal's order rebuilds the same state.
    virtual std::optional<Cut> judge(std::int64_t trial, std::int64_t epoch, double loss) = 0;
    // Promote mode: the trial held at a rung that now qualifies to go on, from the highest rung
    // down and the best first; none when no held trial qualifies.
    virtual std::optional<std::int64_t> promotion() const { return std::nullopt; }
    // The trial, judged below the cut at its last rung, has paused there: a candidate for
    // promotion from now on.
    virtual void hold(std::int64_t trial) { (void)trial; }
    // The trial no longer waits at its rung: it was promoted.
    virtual void withdraw(std::int64_t trial) { (void)trial; }
};

// Null for Kind::none.
std::unique_ptr<EarlyStopping> make_early_stopping(const EarlyStoppingSettings& settings);

}  // namespace hpopt::fidelity
