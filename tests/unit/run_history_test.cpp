#include <doctest/doctest.h>

#include <cmath>

#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/journal/run_history.hpp"
#include "../support/journal_records.hpp"

using namespace hpopt;
using Outcome = journal::TrialRun::Outcome;
using hpopt::test::Records;
using hpopt::test::started;

TEST_CASE("journal times read back to the millisecond") {
    CHECK(journal::utc_seconds("1970-01-01T00:01:00.250Z") == doctest::Approx(60.25));
    CHECK(std::isnan(journal::utc_seconds("yesterday")));
}

TEST_CASE("a history has each trial's result and each run on its group, in time") {
    Records records = started();
    records.suggested(1, 0, 0).suggested(1, 1, 1);
    records.at(2, journal::epoch_finished_record({0, 0, 1, 0.7, nullptr}));
    records.finished(3, 1, 0.5).suggested(3, 2, 1).finished(4, 0, 0.2);
    records.finished(6, 2, NAN, journal::TrialStatus::failed);
    records.at(6.5, journal::run_finished_record("trial budget reached", Json::object()));
    const journal::RunHistory history = journal::run_history(records.list);

    CHECK(history.fom_name == "loss");
    CHECK(history.spec["name"] == "s");
    CHECK(history.state == journal::RunState::finished);
    CHECK(history.stop_reason == "trial budget reached");
    CHECK(history.sessions.size() == 1);
    CHECK(history.last_record_s == doctest::Approx(6.5));
    CHECK(history.groups() == 2);
    REQUIRE(history.trials.size() == 3);
    CHECK(history.trials[0].result->fom == 0.2);
    CHECK(history.trials[0].epochs.size() == 1);
    CHECK(history.trials[2].result->reason == "diverged");
    const auto finished = history.finished();
    REQUIRE(finished.size() == 3);
    CHECK(finished[0]->trial.id == 1);  // in the order they finished
    CHECK(finished[1]->trial.id == 0);
    REQUIRE(history.runs.size() == 3);
    CHECK(history.runs[2].group == 1);
    CHECK(history.runs[2].start_s == doctest::Approx(3));
    CHECK(history.runs[2].end_s == doctest::Approx(6));
    CHECK(history.runs[2].outcome == Outcome::failed);
}

TEST_CASE("a killed session's runs are lost, a resumed one goes on, retries are runs of their own") {
    Records records = started();
    records.suggested(1, 0, 0).suggested(1, 1, 1);
    journal::TrialResult attempt;
    attempt.id = 1;
    attempt.status = journal::TrialStatus::failed;
    records.at(2, journal::trial_attempt_failed_record(attempt, 0));
    records.at(2, journal::trial_retried_record(1, 1, 1));
    records.at(3, journal::epoch_finished_record({0, 0, 1, 0.7, nullptr}));
    // SIGKILL here; the resume hands both out again, 60 s later.
    records.at(63, journal::run_resumed_record({0, 1}, "", {}));
    records.at(63, journal::trial_resumed_record(0, 1)).at(63, journal::trial_resumed_record(1, 0));
    records.finished(65, 0, 0.3);
    const journal::RunHistory history = journal::run_history(records.list);

    REQUIRE(history.sessions.size() == 2);
    CHECK(history.sessions[0].end_s == doctest::Approx(3));
    CHECK(history.active_s() == doctest::Approx(3 + 2));
    CHECK(history.state == journal::RunState::unfinished);
    REQUIRE(history.runs.size() == 5);
    CHECK(history.runs[1].outcome == Outcome::attempt_failed);
    CHECK(history.runs[2].outcome == Outcome::lost);
    CHECK(history.runs[2].end_s == doctest::Approx(3));  // its last word
    CHECK(history.runs[3].group == 1);
    CHECK(history.runs[3].outcome == Outcome::ok);
    CHECK(history.runs[4].outcome == Outcome::running);
    CHECK(history.runs[4].end_s == doctest::Approx(65));
    CHECK(history.trial(0).group == 1);
    CHECK(history.trial(0).runs == std::vector<std::size_t>{0, 3});
    CHECK(history.trial(1).runs == std::vector<std::size_t>{1, 2, 4});
    CHECK_THROWS_AS(history.trial(2), std::out_of_range);
}

TEST_CASE("an interrupted run says so, and its stopped trials are runs that ended") {
    Records records = started();
    records.suggested(1, 0, 0);
    records.at(2, journal::trial_interrupted_record(0, "SIGTERM"));
    records.at(2, journal::run_interrupted_record({0}));
    records.at(2, journal::run_finished_record("interrupted by SIGTERM", Json::object()));
    const journal::RunHistory history = journal::run_history(records.list);
    CHECK(history.state == journal::RunState::interrupted);
    CHECK(history.runs[0].outcome == Outcome::interrupted);
    CHECK(!history.trials[0].result);
}

TEST_CASE("records out of order name their line") {
    CHECK_THROWS_WITH_AS(journal::run_history({}), doctest::Contains("no record yet"), journal::JournalError);
    Records headless;
    headless.suggested(1, 0, 0);
    CHECK_THROWS_WITH_AS(journal::run_history(headless.list), doctest::Contains("line 1: the journal does not begin"),
                         journal::JournalError);
    Records records = started();
    records.finished(1, 4, 0.1);
    CHECK_THROWS_WITH_AS(journal::run_history(records.list), doctest::Contains("line 2: trial 4 was never suggested"),
                         journal::JournalError);
    Records twice = started();
    twice.suggested(1, 0, 0).suggested(1, 0, 1);
    CHECK_THROWS_WITH_AS(journal::run_history(twice.list), doctest::Contains("line 3"), journal::JournalError);
    Records untimed = started();
    untimed.list.push_back({{"event", "run_finished"}});
    CHECK_THROWS_WITH_AS(journal::run_history(untimed.list), doctest::Contains("without its \"time\""), journal::JournalError);
}
