// What early stopping costs the coordinator per epoch report (benchmark 3 of issue 20): 1,000
// trials running at once, each with 2 folds reporting 27 epochs, their reports interleaved as
// they would arrive; each report goes through FoldMeans and, once both folds have reported the
// epoch, the rule. Prints Markdown: the mean, the 99.9th percentile and the slowest report (on
// a shared machine the slowest is often a preemption), for each rule.
//
//   early_stopping_cost --trials 1000 --epochs 27
#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hpopt/fidelity/early_stopping.hpp"
#include "hpopt/random/rng.hpp"

using namespace hpopt;

int main(int argc, char** argv) {
    CLI::App app{"early stopping's bookkeeping per epoch report"};
    int trials = 1000;
    int epochs = 27;
    app.add_option("--trials", trials, "Trials running at once");
    app.add_option("--epochs", epochs, "Epochs per trial");
    CLI11_PARSE(app, argc, argv);
    constexpr int folds = 2;

    fmt::print("| rule | reports | mean per report | 99.9th percentile | slowest | trials stopped |\n|---|---|---|---|---|---|\n");
    for (const auto kind : {fidelity::EarlyStoppingSettings::Kind::asha, fidelity::EarlyStoppingSettings::Kind::median}) {
        fidelity::EarlyStoppingSettings settings;
        settings.kind = kind;
        const auto rule = fidelity::make_early_stopping(settings);
        fidelity::FoldMeans means(folds);
        random::Rng rng(7);
        std::vector<bool> stopped(static_cast<std::size_t>(trials), false);
        std::vector<double> spent_s;
        for (int epoch = 1; epoch <= epochs; ++epoch) {
            for (int trial = 0; trial < trials; ++trial) {
                if (stopped[static_cast<std::size_t>(trial)]) continue;
                for (int fold = 0; fold < folds; ++fold) {
                    const double fom = 1.0 / epoch + rng.uniform();
                    const auto start = std::chrono::steady_clock::now();
                    if (const auto mean = means.add({trial, fold, epoch, fom, nullptr})) {
                        if (rule->judge(trial, epoch, *mean)) stopped[static_cast<std::size_t>(trial)] = true;
                    }
                    spent_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
                }
            }
        }
        std::sort(spent_s.begin(), spent_s.end());
        const double mean_s = std::accumulate(spent_s.begin(), spent_s.end(), 0.0) / static_cast<double>(spent_s.size());
        const double p999_s = spent_s[spent_s.size() * 999 / 1000];
        fmt::print("| {} | {} | {:.2f} us | {:.1f} us | {:.1f} us | {} of {} |\n", fidelity::to_string(kind), spent_s.size(), 1e6 * mean_s,
                   1e6 * p999_s, 1e6 * spent_s.back(), std::count(stopped.begin(), stopped.end(), true), trials);
    }
}
