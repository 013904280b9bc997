#include "hpopt/fidelity/early_stopping.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hpopt::fidelity {
namespace {

const std::vector<std::string> kind_names = {"none", "asha", "hyperband", "median"};

// The q-quantile of values sorted in increasing order, interpolated between neighbours.
double quantile(const std::vector<double>& sorted, double q) {
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

class AshaStop : public EarlyStopping {
public:
    explicit AshaStop(const EarlyStoppingSettings& settings)
        : ladder_(settings.min_epochs, settings.reduction_factor),
          reduction_factor_(settings.reduction_factor),
          promote_(settings.mode == EarlyStoppingSettings::Mode::promote) {}

    // A trial is judged once per rung, at its first epoch at or past it.
    std::optional<Cut> judge(std::int64_t trial, std::int64_t epoch, double loss) override {
        std::size_t& rung = next_rung_[trial];
        if (epoch < ladder_.epoch(rung)) return std::nullopt;
        const std::size_t at = rung++;
        return promote_ ? pause_unless_promoted(trial, at, loss) : stop_below_cut(at, loss);
    }

    // A paused trial among the best floor(n/reduction_factor) of its rung.
    struct Waiting {
        std::int64_t trial;
        std::int64_t rung_epoch;
        double loss;
    };
    std::optional<Waiting> best_waiting() const {
        for (auto rung = rungs_.rbegin(); rung != rungs_.rend(); ++rung) {
            const std::vector<Entry>& ranked = rung->second.ranked;
            for (std::size_t i = 0; i < promoted_share(ranked.size()); ++i) {
                if (rung->second.waiting.count(ranked[i].trial)) return Waiting{ranked[i].trial, ladder_.epoch(rung->first), ranked[i].loss};
            }
        }
        return std::nullopt;
    }

    std::optional<std::int64_t> promotion() const override {
        const auto waiting = best_waiting();
        return waiting ? std::optional(waiting->trial) : std::nullopt;
    }

    // At the rung it was last judged at.
    void hold(std::int64_t trial) override {
        if (const auto next = next_rung_.find(trial); next != next_rung_.end() && next->second > 0) {
            rungs_[next->second - 1].waiting.insert(trial);
        }
    }

    void withdraw(std::int64_t trial) override {
        for (auto& [index, rung] : rungs_) rung.waiting.erase(trial);
    }

private:
    struct Entry {
        double loss;
        std::int64_t trial;
    };
    struct Rung {
        std::vector<double> losses;       // stop mode: the losses seen there, sorted
        std::vector<Entry> ranked;        // promote mode: the trials seen there, best first
        std::set<std::int64_t> waiting;   // promote mode: those held there, paused
    };

    std::optional<Cut> stop_below_cut(std::size_t at, double loss) {
        std::vector<double>& recorded = rungs_[at].losses;
        std::optional<Cut> cut;
        if (!recorded.empty()) {
            const double threshold = quantile(recorded, 1 / reduction_factor_);
            if (loss > threshold) cut = Cut{threshold, basis(recorded.size(), at)};
        }
        recorded.insert(std::upper_bound(recorded.begin(), recorded.end(), loss), loss);
        return cut;
    }

    std::optional<Cut> pause_unless_promoted(std::int64_t trial, std::size_t at, double loss) {
        Rung& rung = rungs_[at];
        const auto later = std::upper_bound(rung.ranked.begin(), rung.ranked.end(), loss,
                                            [](double l, const Entry& e) { return l < e.loss; });
        const auto rank = static_cast<std::size_t>(later - rung.ranked.begin());
        rung.ranked.insert(later, {loss, trial});
        const std::size_t share = promoted_share(rung.ranked.size());
        if (rank < share) return std::nullopt;
        const double threshold = rung.ranked[share > 0 ? share - 1 : 0].loss;
        return Cut{threshold, basis(rung.ranked.size(), at)};
    }

    std::size_t promoted_share(std::size_t recorded) const {
        return static_cast<std::size_t>(std::floor(static_cast<double>(recorded) / reduction_factor_));
    }

    std::string basis(std::size_t recorded, std::size_t at) const {
        return fmt::format("the best 1/{:g} of the {} trial(s) at the rung of epoch {}", reduction_factor_, recorded, ladder_.epoch(at));
    }

    RungLadder ladder_;
    double reduction_factor_;
    bool promote_;
    std::map<std::int64_t, std::size_t> next_rung_;  // by trial: the rung it is judged at next
    std::map<std::size_t, Rung> rungs_;               // by index
};

// Brackets of ASHA, bracket b's first rung at min_epochs * reduction_factor^b. A trial joins a
// bracket when it is first judged: the one furthest behind its share, bracket b's share being
// Hyperband's n_s for s = brackets - 1 - b halvings, reduction_factor^s / (s + 1), up to a constant.
class HyperbandStop : public EarlyStopping {
public:
    explicit HyperbandStop(const EarlyStoppingSettings& settings) {
        for (std::int64_t b = 0; b < settings.brackets; ++b) {
            EarlyStoppingSettings bracket = settings;
            bracket.min_epochs = std::llround(static_cast<double>(settings.min_epochs) * std::pow(settings.reduction_factor, static_cast<double>(b)));
            const double halvings = static_cast<double>(settings.brackets - 1 - b);
            brackets_.push_back({AshaStop(bracket), std::pow(settings.reduction_factor, halvings) / (halvings + 1), 0});
        }
    }

    std::optional<Cut> judge(std::int64_t trial, std::int64_t epoch, double loss) override {
        const auto [joined, fresh] = bracket_of_.emplace(trial, 0);
        if (fresh) {
            joined->second = furthest_behind();
            ++brackets_[joined->second].trials;
        }
        auto cut = brackets_[joined->second].asha.judge(trial, epoch, loss);
        if (cut) cut->basis += fmt::format(" (bracket {} of {})", joined->second + 1, brackets_.size());
        return cut;
    }

    // The waiting trial at the highest rung over every bracket, the best first.
    std::optional<std::int64_t> promotion() const override {
        std::optional<AshaStop::Waiting> chosen;
        for (const Bracket& bracket : brackets_) {
            const auto waiting = bracket.asha.best_waiting();
            if (waiting && (!chosen || std::tie(waiting->rung_epoch, chosen->loss) > std::tie(chosen->rung_epoch, waiting->loss))) {
                chosen = waiting;
            }
        }
        return chosen ? std::optional(chosen->trial) : std::nullopt;
    }

    void hold(std::int64_t trial) override {
        if (const auto bracket = bracket_of_.find(trial); bracket != bracket_of_.end()) brackets_[bracket->second].asha.hold(trial);
    }

    void withdraw(std::int64_t trial) override {
        if (const auto bracket = bracket_of_.find(trial); bracket != bracket_of_.end()) brackets_[bracket->second].asha.withdraw(trial);
    }

private:
    struct Bracket {
        AshaStop asha;
        double share;
        std::int64_t trials;
    };

    std::size_t furthest_behind() const {
        std::size_t chosen = 0;
        for (std::size_t b = 1; b < brackets_.size(); ++b) {
            const auto deficit = [&](std::size_t i) { return static_cast<double>(brackets_[i].trials) / brackets_[i].share; };
            if (deficit(b) < deficit(chosen)) chosen = b;
        }
        return chosen;
    }

    std::vector<Bracket> brackets_;
    std::map<std::int64_t, std::size_t> bracket_of_;  // by trial
};

class MedianStop : public EarlyStopping {
public:
    explicit MedianStop(const EarlyStoppingSettings& settings) : warmup_epochs_(settings.min_epochs), min_trials_(settings.min_trials) {}

    std::optional<Cut> judge(std::int64_t trial, std::int64_t epoch, double loss) override {
        Curve& mine = curves_[trial];
        if (epoch != static_cast<std::int64_t>(mine.sums.size()) + 1) return std::nullopt;  // epochs in order, once each
        mine.sums.push_back((mine.sums.empty() ? 0 : mine.sums.back()) + loss);
        mine.best = std::min(mine.best, loss);
        if (epoch < warmup_epochs_) return std::nullopt;
        std::vector<double> averages;
        for (const auto& [other, curve] : curves_) {
            if (other != trial && static_cast<std::int64_t>(curve.sums.size()) >= epoch) {
                averages.push_back(curve.sums[static_cast<std::size_t>(epoch - 1)] / static_cast<double>(epoch));
            }
        }
        if (static_cast<std::int64_t>(averages.size()) < min_trials_) return std::nullopt;
        std::sort(averages.begin(), averages.end());
        const double median = quantile(averages, 0.5);
        if (mine.best <= median) return std::nullopt;
        return Cut{median, fmt::format("the median of {} other trials' running averages at epoch {}", averages.size(), epoch)};
    }

private:
    struct Curve {
        std::vector<double> sums;  // the losses of epochs 1..e summed, for each e
        double best = HUGE_VAL;
    };
    std::int64_t warmup_epochs_;
    std::int64_t min_trials_;
    std::map<std::int64_t, Curve> curves_;
};

}  // namespace

EarlyStoppingSettings read_early_stopping(config::ObjectReader& reader) {
    using Kind = EarlyStoppingSettings::Kind;
    EarlyStoppingSettings settings;
    reader.require("kind");
    if (const auto kind = reader.choice("kind", kind_names)) settings.kind = static_cast<Kind>(*kind);
    settings.min_epochs = reader.integer_or("min_epochs", settings.min_epochs);
    if (settings.min_epochs < 1) reader.report("min_epochs", "must be >= 1");
    const bool rungs = settings.kind == Kind::asha || settings.kind == Kind::hyperband;
    if (rungs || reader.has("reduction_factor")) {
        settings.reduction_factor = reader.number_or("reduction_factor", settings.reduction_factor);
        if (!(settings.reduction_factor >= 1.5)) reader.report("reduction_factor", "must be >= 1.5");
        if (!rungs) reader.report("reduction_factor", "applies to asha and hyperband only");
    }
    if (const auto mode = reader.choice("mode", {"stop", "promote"})) {
        settings.mode = static_cast<EarlyStoppingSettings::Mode>(*mode);
        if (!rungs) reader.report("mode", "applies to asha and hyperband only");
    }
    if (settings.kind == Kind::hyperband || reader.has("brackets")) {
        settings.brackets = reader.integer_or("brackets", settings.brackets);
        if (settings.brackets < 1 || settings.brackets > 10) reader.report("brackets", "must be in [1, 10]");
        if (settings.kind != Kind::hyperband) reader.report("brackets", "applies to hyperband only");
    }
    if (settings.kind == Kind::median || reader.has("min_trials")) {
        settings.min_trials = reader.integer_or("min_trials", settings.min_trials);
        if (settings.min_trials < 1) reader.report("min_trials", "must be >= 1");
        if (settings.kind != Kind::median) reader.report("min_trials", "applies to median only");
    }
    if (const auto tell = reader.choice("tell_stopped", {"fom", "nothing", "rungs"})) {
        settings.tell_stopped = static_cast<EarlyStoppingSettings::TellStopped>(*tell);
        if (settings.tell_stopped == EarlyStoppingSettings::TellStopped::rungs && !rungs) {
            reader.report("tell_stopped", "\"rungs\" applies to asha and hyperband only");
        }
    }
    reader.finish();
    return settings;
}

std::int64_t RungLadder::epoch(std::size_t rung) const {
    while (epochs_.size() <= rung) {
        const double exact = static_cast<double>(min_epochs_) * std::pow(reduction_factor_, static_cast<double>(epochs_.size()));
        const std::int64_t previous = epochs_.empty() ? 0 : epochs_.back();
        epochs_.push_back(std::max(previous + 1, static_cast<std::int64_t>(std::llround(exact))));
    }
    return epochs_[rung];
}

bool RungLadder::is_rung(std::int64_t epoch) const {
    std::size_t rung = 0;
    while (this->epoch(rung) < epoch) ++rung;
    return this->epoch(rung) == epoch;
}

std::string to_string(EarlyStoppingSettings::Kind kind) { return kind_names.at(static_cast<std::size_t>(kind)); }

std::optional<double> FoldMeans::add(const journal::EpochReport& report) {
    if (!seen_.insert({report.trial, report.fold, report.epoch}).second) return std::nullopt;
    Epoch& epoch = open_[{report.trial, report.epoch}];
    epoch.sum += report.fom;
    if (++epoch.count < folds_) return std::nullopt;
    const double mean = epoch.sum / folds_;
    open_.erase({report.trial, report.epoch});
    ++epochs_;
    return mean;
}

std::unique_ptr<EarlyStopping> make_early_stopping(const EarlyStoppingSettings& settings) {
    switch (settings.kind) {
        case EarlyStoppingSettings::Kind::none: return nullptr;
        case EarlyStoppingSettings::Kind::asha: return std::make_unique<AshaStop>(settings);
        case EarlyStoppingSettings::Kind::hyperband: return std::make_unique<HyperbandStop>(settings);
        case EarlyStoppingSettings::Kind::median: return std::make_unique<MedianStop>(settings);
    }
    return nullptr;
}

}  // namespace hpopt::fidelity
