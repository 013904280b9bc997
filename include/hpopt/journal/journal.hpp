#pragma once
// <run dir>/journal.jsonl: the append-only record of a run, one JSON object per line. A record
// reaches the disk (write + fsync) before append() returns, so the run never acts on something
// the journal could lose; a record the run does not act on at once may wait for the next sync
// (Sync::later), which saves one fsync per trial. Only the coordinator writes it, and it holds
// a lock on the file meanwhile (flock), so that a second process cannot write it too and
// `hpopt status` can tell a run that goes on from one that was killed.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/journal/trial.hpp"
#include "hpopt/spec/layout.hpp"

namespace hpopt::journal {

class Journal {
public:
    enum class Open { create, append };
    // Creates the file (throws std::runtime_error if it exists or cannot be created), or opens
    // an existing one to go on with it (a resumed run). Throws RunDirectoryInUse when another
    // process writes it.
    explicit Journal(const std::filesystem::path& path, Open open = Open::create);
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;
    ~Journal();

    enum class Sync { now, later };

    // Adds "time" (UTC, ISO 8601) to the record, writes it as one line and, unless told
    // otherwise, syncs the file.
    void append(Json record, Sync sync = Sync::now);
    void sync();
    // Where "time" comes from: the wall clock, unless a simulation gives its virtual time.
    void stamp_with(std::function<std::string()> timestamp) { timestamp_ = std::move(timestamp); }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::function<std::string()> timestamp_;
};

// True while a process holds the journal at `path` open to write it: its run goes on. (On a file
// system without locks, false.)
bool is_being_written(const std::filesystem::path& path);
// Throws RunDirectoryInUse, naming the journal, when a process writes it.
void refuse_if_being_written(const std::filesystem::path& path);

// The kinds of record, as their "event" field names them.
enum class Event {
    run_started,
    run_resumed,
    trial_suggested,
    trial_resumed,
    trial_retried,
    epoch_finished,
    trial_finished,
    trial_attempt_failed,
    trial_interrupted,
    trial_stopped_early,
    trial_paused,
    trial_parked,
    trial_promoted,
    rung_reached,
    group_lost,
    run_interrupted,
    run_finished,
};
std::string to_string(Event event);
// The kind of a record; nullopt for a record of a kind this hpopt does not know.
std::optional<Event> event_of(const Json& record);

// The records of a run, in the order they happen.
// `fom_name`: what the workload calls its figure of merit.
Json run_started_record(const Json& spec_document, const std::string& fingerprint, const std::string& version,
                 const std::string& fom_name);
// What the optimizer knew when it made a suggestion, so that a resume can ask it again alike:
// the number of results it had been told, and the trials pending. Suggestions asked in one batch
// (Optimizer::ask_batch) are handed out one after the other, and only the first tells the batch's
// pending trials: each of the others had the batch's earlier ones pending besides. The first
// lists them in full, or (with a batch journaled before it in the same process) as what changed
// since that batch's: a thousand groups' pending trials change little from batch to batch.
struct PendingChange {
    std::vector<std::int64_t> added, removed;
};
struct Asked {
    std::int64_t told = 0;
    std::optional<std::vector<std::int64_t>> pending;  // the batch's first, in full
    std::optional<PendingChange> pending_change;        // or so
};
// `group`: the group it is handed to.
Json trial_suggested_record(const Trial& trial, int group, const Asked& asked);
Json trial_finished_record(const TrialResult& result);
Json epoch_finished_record(const EpochReport& report);
// Interrupted (a stop signal, the wall time): the trials that will run again on resume (stopped,
// still running past the grace, or waiting for a retry).
Json run_interrupted_record(const std::vector<std::int64_t>& unfinished_trials);
// `hpopt resume` went on with the run: the trials it hands out again, the torn record it dropped,
// and the layout it goes on with (the groups the job's size gave, the fold teams' workers after
// --workers).
Json run_resumed_record(const std::vector<std::int64_t>& in_flight, const std::string& dropped, const spec::Layout& layout);
Json trial_resumed_record(std::int64_t trial, int group);  // a trial of before the resume, handed out again
// The search stopped a running trial (a signal, the wall time): it runs again on resume.
Json trial_interrupted_record(std::int64_t trial, const std::string& reason);
// Early stopping judged a running trial by its FoM (its folds' mean) after `epoch` and stops it:
// the FoM was worse than `cut`, which `basis` explains. Its trial_finished (status stopped, or
// ok if it had finished first) follows.
Json trial_stopped_early_record(std::int64_t trial, std::int64_t epoch, double fom, double cut, const std::string& basis);
// Early stopping in promote mode judged a running trial below the cut at a rung and pauses it
// there (the fields as for trial_stopped_early). The optimizer is told its FoM. Its group then
// leaves it (trial_parked), keeping its checkpoint, unless it had finished first (trial_finished).
Json trial_paused_record(std::int64_t trial, std::int64_t epoch, double fom, double cut, const std::string& basis);
Json trial_parked_record(std::int64_t trial);
// A paused trial that now qualifies goes on from its checkpoint on `group`.
Json trial_promoted_record(std::int64_t trial, int group);
// early_stopping.tell_stopped "rungs": the optimizer is told the running trial's FoM (its folds'
// mean) at a rung epoch.
Json rung_reached_record(std::int64_t trial, std::int64_t epoch, double fom);
// A run of a trial failed in a way that may not happen again, and budget.max_retries leaves
// room for another (`attempt` counts from 0); then the trial is handed out again.
Json trial_attempt_failed_record(const TrialResult& result, int attempt);
Json trial_retried_record(std::int64_t trial, int group, int attempt);
// A group is hung (past its trial's deadline and the grace, or silent too long): it gets no more
// trials in this session; its trial's failure follows.
Json group_lost_record(int group, std::int64_t trial, const std::string& reason);
Json run_finished_record(const std::string& stop_reason, const Json& summary);

}  // namespace hpopt::journal
