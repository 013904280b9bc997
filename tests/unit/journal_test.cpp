#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hpopt/journal/journal.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/journal/results_files.hpp"
#include "hpopt/journal/run_directory.hpp"

using namespace hpopt;
namespace fs = std::filesystem;

namespace {

// A fresh, empty directory for one test case.
struct TemporaryDir {
    fs::path path;
    explicit TemporaryDir(const std::string& name) : path(fs::temp_directory_path() / ("hpopt_journal_test_" + name)) {
        fs::remove_all(path);
    }
    ~TemporaryDir() { fs::remove_all(path); }
};

std::vector<Json> read_lines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<Json> records;
    for (std::string line; std::getline(in, line);) records.push_back(Json::parse(line));
    return records;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

journal::Trial trial(std::int64_t id, Json params) { return {id, std::move(params), {0.5}, 42}; }

}  // namespace

TEST_CASE("the journal holds one JSON record per line, each with its time") {
    TemporaryDir dir("records");
    const journal::RunDirectory run = journal::prepare_run_directory(dir.path, false);
    {
        journal::Journal journal(run.journal());
        journal.append(journal::run_started_record({{"name", "x"}}, "abc", "0.1.0", "loss"));
        journal.append(journal::trial_suggested_record(trial(0, {{"lr", 0.01}, {"act", "relu"}}), 3, {0, std::vector<std::int64_t>{}, std::nullopt}));
        journal::TrialResult ok;
        ok.fom = 0.0;  // a FoM of zero is a FoM
        ok.fold_foms = {0.0};
        journal.append(journal::trial_finished_record(ok));
        journal::TrialResult failed;
        failed.id = 1;
        failed.status = journal::TrialStatus::failed;
        failed.reason = "loss is NaN";
        journal.append(journal::trial_finished_record(failed));
        journal.append(journal::run_finished_record("trial budget reached", {{"trials", 2}}));
    }
    const auto records = read_lines(run.journal());
    REQUIRE(records.size() == 5);
    for (const auto& record : records) CHECK(record.at("time").get<std::string>().size() == 24);
    CHECK(records[0]["event"] == "run_started");
    CHECK(records[0]["spec"]["name"] == "x");
    CHECK(records[0]["spec_fingerprint"] == "abc");
    CHECK(records[1]["event"] == "trial_suggested");
    CHECK(records[1]["params"]["act"] == "relu");
    CHECK(records[1]["seed"] == 42);
    CHECK(records[1]["group"] == 3);
    CHECK(records[2]["status"] == "ok");
    CHECK(records[2]["fom"] == 0.0);
    CHECK_FALSE(records[2].contains("reason"));
    CHECK(records[3]["status"] == "failed");
    CHECK(records[3]["fom"].is_null());
    CHECK(records[3]["reason"] == "loss is NaN");
    CHECK(records[4]["stop_reason"] == "trial budget reached");
}

TEST_CASE("a journal is never overwritten") {
    TemporaryDir dir("exists");
    fs::create_directories(dir.path);
    { journal::Journal first(dir.path / "journal.jsonl"); }
    CHECK_THROWS_WITH(journal::Journal(dir.path / "journal.jsonl"), doctest::Contains("cannot create the journal"));
}

TEST_CASE("an output dir in use is refused unless forced, and forcing removes only the run's files") {
    TemporaryDir dir("in_use");
    fs::create_directories(dir.path);
    std::ofstream(dir.path / "journal.jsonl") << "{}\n";
    std::ofstream(dir.path / "notes.txt") << "mine\n";
    CHECK_THROWS_AS(journal::prepare_run_directory(dir.path, false), journal::RunDirectoryInUse);
    const auto run = journal::prepare_run_directory(dir.path, true);
    CHECK_FALSE(fs::exists(run.journal()));
    CHECK(fs::exists(dir.path / "notes.txt"));
}

TEST_CASE("results.csv has a row per trial with every parameter, quoted where needed") {
    TemporaryDir dir("csv");
    const auto run = journal::prepare_run_directory(dir.path, false);
    const space::Space space({{"lr", space::RealRange{1e-5, 1, true}},
                              {"act", space::Choices{{"relu", "a,b"}}},
                              {"epochs", space::Fixed{5}}});
    journal::ResultsFiles results(run, space);
    journal::TrialResult ok;
    ok.fom = 0.25;
    ok.fom_std = 0.5;
    ok.duration_s = 1.5;
    results.add(trial(0, {{"lr", 0.001}, {"act", "a,b"}, {"epochs", 5}}), ok);
    journal::TrialResult failed;
    failed.id = 1;
    failed.status = journal::TrialStatus::failed;
    failed.reason = "said \"no\"";
    results.add(trial(1, {{"lr", 0.1}, {"act", "relu"}, {"epochs", 5}}), failed);
    journal::TrialResult stopped;
    stopped.id = 2;
    stopped.status = journal::TrialStatus::stopped;
    stopped.fom = 0.75;
    stopped.stopped_epoch = 3;
    stopped.reason = "stopped early";
    results.add(trial(2, {{"lr", 0.2}, {"act", "relu"}, {"epochs", 5}}), stopped);
    results.flush();
    CHECK(read_text(run.results_csv()) ==
          "trial,status,fom,fom_std,lr,act,epochs,started_s,duration_s,stopped_at_epoch,reason\n"
          "0,ok,0.25,0.5,0.001,\"a,b\",5,0.000,1.500,,\n"
          "1,failed,,,0.1,relu,5,0.000,0.000,,\"said \"\"no\"\"\"\n"
          "2,stopped,0.75,0,0.2,relu,5,0.000,0.000,3,stopped early\n");
    CHECK_FALSE(fs::exists(run.results_csv().string() + ".tmp"));
}

TEST_CASE("best.json holds the best trial's parameters and FoM") {
    TemporaryDir dir("best");
    const auto run = journal::prepare_run_directory(dir.path, false);
    journal::ResultsFiles results(run, space::Space({{"x", space::RealRange{0, 1, false}}}));
    journal::TrialResult result;
    result.id = 7;
    result.fom = -3.5;
    results.write_best(trial(7, {{"x", 0.25}}), result, "hartmann6");
    const Json best = Json::parse(read_text(run.best_json()));
    CHECK(best["trial"] == 7);
    CHECK(best["fom"] == -3.5);
    CHECK(best["fom_name"] == "hartmann6");
    CHECK(best["params"]["x"] == 0.25);
}

TEST_CASE("a journal reads back: trials and results as written, a torn last line dropped, a damaged one refused") {
    const TemporaryDir dir("read_back");
    fs::create_directories(dir.path);
    const fs::path path = dir.path / "journal.jsonl";
    journal::TrialResult result;
    result.id = 3;
    result.status = journal::TrialStatus::failed;
    result.fold_foms = {0.5, std::numeric_limits<double>::quiet_NaN()};
    result.reason = "diverged";
    result.duration_s = 1.5;
    {
        journal::Journal journal(path);
        journal.append(journal::run_started_record(Json::object(), "f", "v", "loss"));
        journal.append(journal::trial_suggested_record({3, Json{{"lr", 0.1}}, {0.25, 0.75}, 42}, 1, {1, std::vector<std::int64_t>{1, 2}, std::nullopt}));
        journal.append(journal::trial_finished_record(result));
    }
    std::uintmax_t whole = fs::file_size(path);
    {
        std::ofstream out(path, std::ios::app);
        out << "{\"event\": \"trial_su";
    }
    const journal::JournalContents contents = journal::read_journal(path);
    REQUIRE(contents.records.size() == 3);
    CHECK(contents.intact_bytes == whole);
    CHECK(contents.torn.find("line 4") != std::string::npos);
    const journal::Trial trial = journal::suggested_trial(contents.records[1]);
    CHECK(trial.id == 3);
    CHECK(trial.params == Json{{"lr", 0.1}});
    CHECK(trial.point == std::vector<double>{0.25, 0.75});
    CHECK(trial.seed == 42);
    const journal::TrialResult back = journal::finished_result(contents.records[2]);
    CHECK(back.status == journal::TrialStatus::failed);
    CHECK(back.reason == "diverged");
    CHECK(std::isnan(back.fom));
    CHECK(back.fold_foms[0] == 0.5);
    CHECK(std::isnan(back.fold_foms[1]));

    journal::cut_torn_tail(path, contents);
    CHECK(fs::file_size(path) == whole);
    journal::Journal(path, journal::Journal::Open::append).append(journal::run_resumed_record({3}, contents.torn, {}));
    CHECK(journal::read_journal(path).records.back()["in_flight"] == Json::array({3}));

    std::ofstream(path, std::ios::trunc) << "{\"event\": \"run_started\"}\nnot json\n{\"event\": \"run_finished\"}\n";
    CHECK_THROWS_WITH_AS(journal::read_journal(path), doctest::Contains("line 2 is not a journal record"), journal::JournalError);
}

TEST_CASE("records whose numbers do not fit their fields are refused, not converted") {
    const Json suggested = Json::parse(R"({"event": "trial_suggested", "trial": 1, "params": {}, "point": [0.5], "seed": 7})");
    CHECK(journal::suggested_trial(suggested).seed == 7);
    Json float_seed = suggested;
    float_seed["seed"] = 6.5e19;  // beyond 2^64: converting it would be undefined
    CHECK_THROWS_AS(journal::suggested_trial(float_seed), journal::JournalError);
    Json huge_id = suggested;
    huge_id["trial"] = std::uint64_t{1} << 63;
    CHECK_THROWS_AS(journal::suggested_trial(huge_id), journal::JournalError);
    CHECK_THROWS_WITH(journal::integer_field(Json::parse(R"({"attempt": "2"})"), "attempt"),
                      doctest::Contains("without an integer \"attempt\""));
    const auto contents = journal::parse_journal("{\"event\": \"run_started\", \"n\": 1e999}\n", "j");
    CHECK(contents.records.empty());  // a number out of range is no record: the last line is torn
    CHECK(!contents.torn.empty());
}

TEST_CASE("a journal line with a key twice, or nested past the limit, is damage like any other") {
    const std::string started = "{\"event\": \"run_started\"}\n";
    const std::string twice = "{\"event\": \"trial_finished\", \"trial\": 1, \"trial\": 2}\n";
    CHECK_THROWS_WITH_AS(journal::parse_journal(started + twice + started, "j"), doctest::Contains("line 2 is not a journal record"),
                         journal::JournalError);
    const std::string deep = "{\"event\": \"x\", \"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}\n";
    CHECK_THROWS_AS(journal::parse_journal(started + deep + started, "j"), journal::JournalError);
    CHECK(!journal::parse_journal(started + deep, "j").torn.empty());  // the last line: torn, dropped
}

TEST_CASE("one process at a time writes a journal, and others can tell") {
    TemporaryDir dir("lock");
    const journal::RunDirectory run = journal::prepare_run_directory(dir.path, false);
    CHECK_FALSE(journal::is_being_written(run.journal()));
    {
        journal::Journal journal(run.journal());
        CHECK(journal::is_being_written(run.journal()));
        CHECK_THROWS_AS(journal::Journal(run.journal(), journal::Journal::Open::append), journal::RunDirectoryInUse);
        CHECK_THROWS_WITH_AS(journal::prepare_run_directory(dir.path, true), doctest::Contains("goes on"),
                             journal::RunDirectoryInUse);
    }
    CHECK_FALSE(journal::is_being_written(run.journal()));
    journal::Journal again(run.journal(), journal::Journal::Open::append);
}

TEST_CASE("a batch's first suggestion tells its pending trials in full or as a change, the others not at all") {
    const journal::Trial trial{4, Json{{"lr", 0.1}}, {0.25}, 9};
    const Json full = journal::trial_suggested_record(trial, 0, {3, std::vector<std::int64_t>{1, 2}, std::nullopt});
    CHECK(full["pending"] == Json::array({1, 2}));
    CHECK_FALSE(full.contains("pending_added"));
    const Json changed = journal::trial_suggested_record(trial, 0, {3, std::nullopt, journal::PendingChange{{5, 6}, {1}}});
    CHECK_FALSE(changed.contains("pending"));
    CHECK(changed["pending_added"] == Json::array({5, 6}));
    CHECK(changed["pending_removed"] == Json::array({1}));
    const Json next = journal::trial_suggested_record(trial, 0, {3, std::nullopt, std::nullopt});
    CHECK((next["told"] == 3 && !next.contains("pending") && !next.contains("pending_added")));
}
