#pragma once
// What a run's journal says happened, arranged for people: every trial with its result, every
// run of a trial on a group with its start and end, the epochs, and how the run stands. Read by
// `hpopt status`, `export` and `report`, also while the run goes on: a torn last record (the
// coordinator may be writing it) is left out. Times count from the run's first record in
// seconds of the wall clock, so that after a resume they go on where they were.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/journal/trial.hpp"

namespace hpopt::journal {

// One run of a trial on a group, from its hand-out to its end.
struct TrialRun {
    enum class Outcome { running, ok, failed, stopped, paused, attempt_failed, interrupted, lost };
    std::int64_t trial = 0;
    int group = 0;
    double start_s = 0;
    double end_s = 0;  // for one still running: the latest record's time
    Outcome outcome = Outcome::running;
};

// "ok", "failed", "stopped" (early), "paused" (early stopping's promote mode), "attempt failed", "interrupted", "running", "lost" (the run
// stopped without a word of it: a crash or a kill).
std::string to_string(TrialRun::Outcome outcome);

struct EpochPoint {
    int fold = 0;
    std::int64_t epoch = 0;
    double fom = 0;  // NaN when the epoch's FoM was not finite
    double time_s = 0;
};

struct TrialHistory {
    Trial trial;
    int group = 0;                      // of its latest run
    double suggested_s = 0;
    std::optional<TrialResult> result;  // once it finished (ok, failed or stopped early)
    double finished_s = 0;
    std::vector<EpochPoint> epochs;
    std::vector<std::size_t> runs;  // its runs on groups: places in RunHistory::runs
    bool paused = false;            // left at a rung, waiting to be promoted
};

// Early stopping's verdict on a trial (a trial_stopped_early or trial_paused record).
struct EarlyStop {
    std::int64_t trial = 0;
    std::int64_t epoch = 0;
    double fom = 0;
    double cut = 0;
};

enum class RunState {
    finished,     // its last session ended with run_finished and no interruption
    interrupted,  // by a signal or the wall time: `hpopt resume` goes on with it
    unfinished,   // no end recorded: still running, or killed (a crash, SIGKILL, a node lost)
};

std::string to_string(RunState state);

struct RunHistory {
    Json spec;                 // the spec document the run started with
    std::string fom_name = "fom";
    std::string started_at;    // UTC, ISO 8601
    double last_record_s = 0;  // the latest record
    struct Session {
        double start_s = 0, end_s = 0;  // its first and last record
    };
    std::vector<Session> sessions;  // the first start and each resume
    RunState state = RunState::unfinished;
    std::string stop_reason;   // of the last session, when it ended
    std::vector<TrialHistory> trials;  // by id
    std::vector<TrialRun> runs;        // in the order they started
    std::string torn;                  // a torn last record left out; empty when none
    std::set<int> lost_groups;         // groups found hung in the last session
    std::vector<EarlyStop> early_stops;  // in the order they were made

    const TrialHistory& trial(std::int64_t id) const;  // std::out_of_range for an id it has not
    std::vector<const TrialHistory*> finished() const;  // in the order they finished
    int groups() const;  // the most groups any session had busy
    double active_s() const;  // the sessions' time, without the time between them
};

// Throws JournalError for records out of order or without their fields, naming the line.
RunHistory run_history(const std::vector<Json>& records);
RunHistory read_run_history(const std::filesystem::path& journal);

// Seconds since the Unix epoch of a journal time ("2026-11-22T21:34:02.878Z").
double utc_seconds(const std::string& time);

}  // namespace hpopt::journal
