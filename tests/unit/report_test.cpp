#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "../support/journal_records.hpp"
#include "hpopt/report/export.hpp"
#include "hpopt/report/html_report.hpp"
#include "hpopt/report/run_view.hpp"
#include "hpopt/report/svg_chart.hpp"
#include "hpopt/report/timeline.hpp"

using namespace hpopt;

namespace {

Json maximizing_spec() {
    return {{"name", "m"},
            {"space", {{"x", {{"type", "real"}, {"low", 0}, {"high", 1}}}}},
            {"budget", {{"trials", 3}}},
            {"objective", {{"direction", "maximize"}}},
            {"layout", {{"groups", 2}}}};
}

// Two groups over 10 s: trial 1 ends first, trial 0 is the best, trial 2 fails once and for good.
report::RunView three_trials() {
    test::Records records = test::started(maximizing_spec());
    records.suggested(0, 0, 0).suggested(0, 1, 1);
    records.at(2, journal::epoch_finished_record({0, 0, 1, 0.6, nullptr}));
    records.finished(3, 1, 0.5).suggested(3, 2, 1);
    records.finished(4, 0, 0.8);
    journal::TrialResult attempt;
    attempt.id = 2;
    attempt.status = journal::TrialStatus::failed;
    records.at(5, journal::trial_attempt_failed_record(attempt, 0)).at(5, journal::trial_retried_record(2, 0, 1));
    records.finished(8, 2, NAN, journal::TrialStatus::failed);
    records.at(10, journal::run_finished_record("trial budget reached", Json::object()));
    return report::RunView(journal::run_history(records.list));
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("a run view knows the better FoM, the best so far and the groups' time") {
    const report::RunView run = three_trials();
    CHECK(run.finished() == 3);
    CHECK(run.failed() == 1);
    CHECK(run.running() == 0);
    REQUIRE(run.best());
    CHECK(run.best()->trial.id == 0);  // 0.8 beats 0.5 when maximizing
    const auto best = run.best_so_far();
    REQUIRE(best.size() == 2);
    CHECK(best[0].trial == 1);
    CHECK(best[1].finished == 2);
    CHECK(best[1].time_s == doctest::Approx(4));
    CHECK(run.busy_s_per_group() == std::vector<double>{4 + 3, 3 + 2});
    CHECK(run.utilization() == doctest::Approx(12.0 / 20));
    CHECK(run.status(run.history().trial(2)) == "failed");
}

TEST_CASE("the CSV export has a row per trial with its folds, group and attempts") {
    const auto lines = lines_of(report::trials_csv(three_trials()));
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "trial,status,fom,fom_std,x,fold_0,group,attempts,suggested_s,finished_s,duration_s,reason");
    CHECK(lines[1].rfind("0,ok,0.8,0,0.0,0.8,0,1,0.000,4.000,", 0) == 0);
    CHECK(lines[3].rfind("2,failed,,,0.2,,0,2,3.000,8.000,", 0) == 0);
    CHECK(lines[3].substr(lines[3].size() - 9) == ",diverged");
}

TEST_CASE("the JSON export holds the run and every trial with its runs and epochs") {
    const Json exported = report::trials_json(three_trials());
    CHECK(exported["run"]["direction"] == "maximize");
    CHECK(exported["run"]["best_trial"] == 0);
    CHECK(exported["run"]["state"] == "finished");
    REQUIRE(exported["trials"].size() == 3);
    CHECK(exported["trials"][0]["epochs"].size() == 1);
    CHECK(exported["trials"][2]["runs"].size() == 2);
    CHECK(exported["trials"][2]["fom"].is_null());
    CHECK(exported["trials"][2]["reason"] == "diverged");
}

TEST_CASE("the timeline has a slice per run on its group, the epochs on their fold, the best as a counter") {
    const Json trace = report::chrome_trace(three_trials());
    const Json& events = trace.at("traceEvents");
    const auto count = [&](auto predicate) { return std::count_if(events.begin(), events.end(), predicate); };
    CHECK(count([](const Json& e) { return e["ph"] == "X" && e["pid"] != 0; }) == 4);
    CHECK(count([](const Json& e) { return e["ph"] == "C"; }) == 2);
    CHECK(count([](const Json& e) { return e["ph"] == "M" && e["name"] == "process_name"; }) == 3);
    const auto retried = std::find_if(events.begin(), events.end(), [](const Json& e) {
        return e["name"] == "trial 2" && e["cat"] == "failed";
    });
    REQUIRE(retried != events.end());
    CHECK((*retried)["pid"] == 1);  // group 0 ran it the second time
    CHECK((*retried)["ts"] == 5e6);
    CHECK((*retried)["dur"] == 3e6);
    const auto epoch = std::find_if(events.begin(), events.end(), [](const Json& e) { return e["ph"] == "i"; });
    REQUIRE(epoch != events.end());
    CHECK((*epoch)["tid"] == 1);
    CHECK((*epoch)["args"]["loss"] == 0.6);
}

TEST_CASE("scales map values to pixels with round ticks, decades on log axes, a band per category") {
    using report::svg::Scale;
    Scale linear = Scale::linear(0.13, 0.92).to_pixels(0, 100);
    CHECK(linear.low() == doctest::Approx(0));
    CHECK(linear.high() == doctest::Approx(1));
    CHECK(linear(0.5) == doctest::Approx(50));
    CHECK(linear.ticks().size() == 6);  // 0, 0.2, ..., 1
    CHECK(linear.ticks()[1].label == "0.2");

    Scale flipped = Scale::linear(3, 3).to_pixels(200, 0);  // one value, a y axis
    CHECK(flipped(3) == doctest::Approx(100));

    Scale log = Scale::logarithmic(1e-4, 1).to_pixels(0, 400);
    CHECK(log(1e-2) == doctest::Approx(200).epsilon(0.01));
    std::vector<std::string> labels;
    for (const auto& tick : log.ticks()) labels.push_back(tick.label);
    CHECK(labels == std::vector<std::string>{"0.0001", "0.001", "0.01", "0.1", "1"});

    Scale big = Scale::linear(0, 10000);
    CHECK(big.ticks().back().label == "10000");

    Scale categories = Scale::categories({"relu", "tanh", "gelu"}).to_pixels(0, 300);
    CHECK(categories(0) == doctest::Approx(50));
    CHECK(categories(2) == doctest::Approx(250));
    CHECK(categories.ticks().at(1).label == "tanh");
}

TEST_CASE("the page escapes what the spec names and has its sections") {
    const std::string page = report::html_report(three_trials(), "hpopt test");
    for (const char* id : {"summary", "top-trials", "convergence-trials", "convergence-time", "parallel-coordinates",
                           "fom-vs-x", "gantt", "folds-section"}) {
        CHECK_MESSAGE(page.find(fmt::format("id=\"{}\"", id)) != std::string::npos, std::string(id));
    }
    CHECK(page.find("One fold per trial") != std::string::npos);
    CHECK(page.find("<td>maximize loss</td>") != std::string::npos);
    CHECK(report::svg::escape("a<b & \"c\">") == "a&lt;b &amp; &quot;c&quot;&gt;");
    CHECK(report::svg::colour(0) == "#440154");
    CHECK(report::svg::colour(1) == "#fde725");
}

TEST_CASE("a run that has only begun has a page, a timeline and an export too") {
    test::Records records = test::started(maximizing_spec());
    records.suggested(0, 0, 0);
    const report::RunView run(journal::run_history(records.list));
    CHECK(run.running() == 1);
    CHECK(run.best() == nullptr);
    const std::string page = report::html_report(run, "hpopt test");
    CHECK(page.find("No trial has succeeded yet") != std::string::npos);
    CHECK(page.find("trial 0 on group 0: running") != std::string::npos);
    CHECK(report::chrome_trace(run)["traceEvents"].size() > 0);
    CHECK(lines_of(report::trials_csv(run)).at(1).rfind("0,running,,,", 0) == 0);
}
