#include <doctest/doctest.h>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/fidelity/early_stopping.hpp"

using namespace hpopt;
using fidelity::EarlyStoppingSettings;

namespace {

std::unique_ptr<fidelity::EarlyStopping> rule(const Json& json) {
    config::Problems problems;
    config::ObjectReader reader(json, "early_stopping", problems);
    const EarlyStoppingSettings settings = fidelity::read_early_stopping(reader);
    REQUIRE(problems.empty());
    return fidelity::make_early_stopping(settings);
}

std::vector<std::string> problems_of(const Json& json) {
    config::Problems problems;
    config::ObjectReader reader(json, "early_stopping", problems);
    fidelity::read_early_stopping(reader);
    std::vector<std::string> messages;
    for (const auto& problem : problems) messages.push_back(problem.path + ": " + problem.message);
    return messages;
}

}  // namespace

TEST_CASE("asha judges a trial once per rung against the best 1/eta of the losses recorded there before it") {
    const auto asha = rule({{"kind", "asha"}, {"min_epochs", 1}, {"reduction_factor", 3}});
    CHECK_FALSE(asha->judge(0, 1, 0.5));  // the first at the rung goes on
    CHECK_FALSE(asha->judge(1, 1, 0.4));  // better than the cut (0.5)
    const auto cut = asha->judge(2, 1, 0.6);  // the cut of {0.4, 0.5} at 1/3: 0.4333
    REQUIRE(cut);
    CHECK(cut->loss == doctest::Approx(0.4 + 0.1 / 3));
    CHECK(cut->basis == "the best 1/3 of the 2 trial(s) at the rung of epoch 1");
    CHECK_FALSE(asha->judge(0, 2, 9.0));  // epoch 2 is no rung
    CHECK_FALSE(asha->judge(0, 3, 0.3));  // the next rung: 1 * 3^1
    CHECK(asha->judge(1, 3, 0.35));       // worse than 0.3, the only one recorded there
    CHECK_FALSE(asha->judge(1, 3, 0.35)); // judged at that rung already
    CHECK_FALSE(asha->judge(0, 9, 0.2));  // 3^2
}

TEST_CASE("asha's rungs grow by the reduction factor, rounded, one epoch apart at least") {
    const auto asha = rule({{"kind", "asha"}, {"min_epochs", 2}, {"reduction_factor", 1.5}});
    // Rungs 2, 3, 4.5 -> 5 (rounded), 6.75 -> 7: at each, trial 0 is recorded first and goes on,
    // and trial 1, worse, is cut: the epochs it is cut at are the rungs.
    std::vector<std::int64_t> rungs;
    for (std::int64_t epoch = 1; epoch <= 8; ++epoch) {
        CHECK_FALSE(asha->judge(0, epoch, 0.1));
        if (asha->judge(1, epoch, 0.9)) rungs.push_back(epoch);
    }
    CHECK(rungs == std::vector<std::int64_t>{2, 3, 5, 7});
}

TEST_CASE("asha's promote mode pauses a trial outside the best floor(n/eta) of its rung and promotes it once later ones lift it") {
    const auto asha = rule({{"kind", "asha"}, {"reduction_factor", 3}, {"mode", "promote"}});
    const auto paused = asha->judge(0, 1, 0.5);  // alone at the rung: floor(1/3) = 0 go on
    REQUIRE(paused);
    CHECK(paused->basis == "the best 1/3 of the 1 trial(s) at the rung of epoch 1");
    asha->hold(0);
    CHECK_FALSE(asha->promotion());
    REQUIRE(asha->judge(1, 1, 0.7));
    asha->hold(1);
    CHECK_FALSE(asha->promotion());
    const auto third = asha->judge(2, 1, 0.6);  // floor(3/3) = 1 goes on: trial 0, paused
    REQUIRE(third);
    CHECK(third->loss == doctest::Approx(0.5));
    CHECK(asha->promotion() == 0);
    asha->hold(2);
    asha->withdraw(0);
    CHECK_FALSE(asha->promotion());
    CHECK_FALSE(asha->judge(3, 1, 0.1));  // the best of 4: goes on at once
    for (std::int64_t trial = 4; trial < 8; ++trial) {
        REQUIRE(asha->judge(trial, 1, 0.9));
        asha->hold(trial);
        CHECK_FALSE(asha->promotion());  // the best floor(n/3) are 0.1 (going on) and 0.5 (promoted)
    }
    REQUIRE(asha->judge(8, 1, 0.9));  // floor(9/3) = 3: 0.6 now qualifies
    CHECK(asha->promotion() == 2);
}

TEST_CASE("asha's promote mode promotes from the highest rung first, the best first") {
    const auto asha = rule({{"kind", "asha"}, {"reduction_factor", 2}, {"mode", "promote"}});
    // Rungs 1, 2, 4. Trial 0 goes on at the rung of epoch 1 (floor(2/2) = 1 once trial 1 is there).
    REQUIRE(asha->judge(0, 1, 0.3));
    asha->hold(0);
    REQUIRE(asha->judge(1, 1, 0.4));
    asha->hold(1);
    CHECK(asha->promotion() == 0);
    asha->withdraw(0);
    REQUIRE(asha->judge(0, 2, 0.2));  // alone at the rung of epoch 2
    asha->hold(0);
    CHECK_FALSE(asha->judge(2, 1, 0.1));  // the best of 3
    REQUIRE(asha->judge(3, 1, 0.35));     // 4 at the rung: the best 2 are 0.1 (going on) and 0.3 (promoted)
    asha->hold(3);
    CHECK_FALSE(asha->promotion());
    REQUIRE(asha->judge(2, 2, 0.25));  // 2 at the rung of epoch 2: floor(2/2) = 1, and 0.2 is better
    asha->hold(2);
    REQUIRE(asha->judge(4, 1, 0.9));
    REQUIRE(asha->judge(5, 1, 0.9));  // floor(6/2) = 3 at the rung of epoch 1: 0.35 (trial 3) qualifies too
    CHECK(asha->promotion() == 0);    // but the rung of epoch 2 comes first
    asha->withdraw(0);
    CHECK(asha->promotion() == 3);
}

TEST_CASE("the rung ladder: min_epochs * eta^k, rounded, one epoch apart at least") {
    const fidelity::RungLadder ladder(2, 1.5);
    CHECK(std::vector<std::int64_t>{ladder.epoch(0), ladder.epoch(1), ladder.epoch(2), ladder.epoch(3)} ==
          std::vector<std::int64_t>{2, 3, 5, 7});
    const fidelity::RungLadder thirds(1, 3);
    std::vector<std::int64_t> rungs;
    for (std::int64_t epoch = 1; epoch <= 30; ++epoch) {
        if (thirds.is_rung(epoch)) rungs.push_back(epoch);
    }
    CHECK(rungs == std::vector<std::int64_t>{1, 3, 9, 27});
}

TEST_CASE("hyperband deals trials to its brackets by Hyperband's shares, each bracket an ASHA of its own") {
    const auto hyperband = rule({{"kind", "hyperband"}, {"brackets", 3}, {"reduction_factor", 3}});
    // Shares 3 : 1.5 : 1 for first rungs 1, 3, 9: trials 0, 1, 2 go one to each, then 3 and 4
    // to the first, the one furthest behind its share.
    CHECK_FALSE(hyperband->judge(0, 1, 0.1));  // bracket 1: the first at its rung of epoch 1
    CHECK_FALSE(hyperband->judge(1, 1, 0.9));  // bracket 2: nothing judged before epoch 3
    CHECK_FALSE(hyperband->judge(2, 1, 0.9));  // bracket 3: nothing before epoch 9
    const auto cut = hyperband->judge(3, 1, 0.9);
    REQUIRE(cut);
    CHECK(cut->basis == "the best 1/3 of the 1 trial(s) at the rung of epoch 1 (bracket 1 of 3)");
    CHECK_FALSE(hyperband->judge(1, 3, 0.5));  // the first at bracket 2's first rung
    CHECK(hyperband->judge(4, 1, 0.95));        // bracket 1 again
    CHECK(hyperband->judge(5, 3, 0.6));         // bracket 2: behind its share now; worse than 0.5
}

TEST_CASE("the median rule stops a trial whose best is worse than the others' running averages, after the warm-up") {
    const auto median = rule({{"kind", "median"}, {"min_epochs", 2}, {"min_trials", 2}});
    for (std::int64_t trial = 0; trial < 2; ++trial) {
        CHECK_FALSE(median->judge(trial, 1, 1.0 + static_cast<double>(trial)));  // 1.0 and 2.0
        CHECK_FALSE(median->judge(trial, 2, 0.5 + static_cast<double>(trial)));  // 0.5 and 1.5
    }
    // Running averages at epoch 2: 0.75 and 1.75, median 1.25.
    CHECK_FALSE(median->judge(2, 1, 5.0));  // in its warm-up
    const auto cut = median->judge(2, 2, 1.3);
    REQUIRE(cut);
    CHECK(cut->loss == doctest::Approx(1.25));
    CHECK(cut->basis == "the median of 2 other trials' running averages at epoch 2");
    CHECK_FALSE(median->judge(3, 1, 9.0));
    CHECK_FALSE(median->judge(3, 2, 1.2));  // its best beats the median
    CHECK_FALSE(median->judge(4, 3, 0.1));  // epochs come in order: a gap is not judged
}

TEST_CASE("the median rule waits for min_trials others at the epoch") {
    const auto median = rule({{"kind", "median"}});  // min_trials 3
    for (std::int64_t trial = 0; trial < 2; ++trial) median->judge(trial, 1, 0.1);
    CHECK_FALSE(median->judge(2, 1, 5.0));  // two others only
    CHECK(median->judge(3, 1, 5.0));
}

TEST_CASE("fold means: an epoch counts once every fold reported it, a report seen before is ignored") {
    fidelity::FoldMeans means(2);
    CHECK_FALSE(means.add({7, 0, 1, 0.2, nullptr}));
    CHECK_FALSE(means.add({7, 0, 1, 0.2, nullptr}));  // the same report again (a continued trial)
    CHECK_FALSE(means.add({7, 0, 2, 0.1, nullptr}));
    const auto mean = means.add({7, 1, 1, 0.4, nullptr});
    REQUIRE(mean);
    CHECK(*mean == doctest::Approx(0.3));
    CHECK(means.epochs() == 1);
    CHECK_FALSE(means.add({7, 1, 1, 0.4, nullptr}));
    CHECK(means.add({7, 1, 2, 0.3, nullptr}));
    CHECK(means.epochs() == 2);
}

TEST_CASE("early_stopping's problems are named with their keys") {
    CHECK(problems_of({{"kind", "asah"}}) ==
          std::vector<std::string>{"early_stopping.kind: unknown value (did you mean \"asha\"?) (got \"asah\")"});
    CHECK(problems_of({{"kind", "median"}, {"reduction_factor", 2}}) ==
          std::vector<std::string>{"early_stopping.reduction_factor: applies to asha and hyperband only (got 2)"});
    CHECK(problems_of({{"kind", "asha"}, {"reduction_factor", 1}, {"min_epochs", 0}}) ==
          std::vector<std::string>{"early_stopping.min_epochs: must be >= 1 (got 0)",
                                   "early_stopping.reduction_factor: must be >= 1.5 (got 1)"});
    CHECK(problems_of(Json::object()) == std::vector<std::string>{"early_stopping.kind: required key is missing"});
    CHECK(problems_of({{"kind", "none"}}).empty());
    CHECK(problems_of({{"kind", "median"}, {"mode", "promote"}}) ==
          std::vector<std::string>{"early_stopping.mode: applies to asha and hyperband only (got \"promote\")"});
    CHECK(problems_of({{"kind", "asha"}, {"tell_stopped", "all"}}) ==
          std::vector<std::string>{"early_stopping.tell_stopped: expected one of fom, nothing, rungs (got \"all\")"});
    CHECK(problems_of({{"kind", "median"}, {"tell_stopped", "rungs"}}) ==
          std::vector<std::string>{"early_stopping.tell_stopped: \"rungs\" applies to asha and hyperband only (got \"rungs\")"});
}

TEST_CASE("what the optimizer learns of a stopped trial: its FoM by default, or nothing") {
    const auto read = [](const Json& json) {
        config::Problems problems;
        config::ObjectReader reader(json, "early_stopping", problems);
        return fidelity::read_early_stopping(reader).tell_stopped;
    };
    CHECK(read({{"kind", "asha"}}) == EarlyStoppingSettings::TellStopped::fom);
    CHECK(read({{"kind", "asha"}, {"tell_stopped", "nothing"}}) == EarlyStoppingSettings::TellStopped::nothing);
}
