#include "hpopt/journal/run_history.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "hpopt/journal/journal.hpp"
#include "hpopt/journal/journal_reader.hpp"

namespace hpopt::journal {
namespace {

TrialRun::Outcome outcome_of(TrialStatus status) {
    switch (status) {
        case TrialStatus::ok: return TrialRun::Outcome::ok;
        case TrialStatus::stopped: return TrialRun::Outcome::stopped;
        case TrialStatus::failed:
        case TrialStatus::interrupted: break;  // an interrupted run is no trial_finished
    }
    return TrialRun::Outcome::failed;
}

// Follows the records one by one; each record's line number names it in errors.
class HistoryBuilder {
public:
    void add(const Json& record, std::size_t line) {
        line_ = line;
        const double time_s = record_time(record);
        if (const std::optional<Event> event = event_of(record)) follow(*event, record, time_s);  // other kinds: later hpopts'
        history_.last_record_s = std::max(history_.last_record_s, time_s);
        if (history_.sessions.empty()) fail("the journal does not begin with run_started or run_resumed");
        history_.sessions.back().end_s = history_.last_record_s;
    }

    RunHistory finish() {
        for (const auto& [id, run] : open_runs_) history_.runs[run].end_s = history_.last_record_s;
        return std::move(history_);
    }

private:
    void follow(Event event, const Json& record, double time_s) {
        switch (event) {
            case Event::run_started:
                start_session(time_s);
                history_.spec = record.value("spec", Json::object());
                history_.fom_name = record.value("fom_name", history_.fom_name);
                history_.started_at = record.value("time", "");
                break;
            case Event::run_resumed:
                start_session(time_s);
                history_.lost_groups.clear();  // a new job: every group serves again
                break;
            case Event::trial_suggested: add_trial(record, time_s); break;
            case Event::trial_resumed:
            case Event::trial_retried: start_run(integer_field(record, "trial"), record, time_s); break;
            case Event::epoch_finished: {
                const EpochReport report = epoch_report(record);
                trial(report.trial).epochs.push_back({report.fold, report.epoch, report.fom, time_s});
                break;
            }
            case Event::trial_finished: {
                TrialResult result = finished_result(record);
                TrialHistory& finished = trial(result.id);
                // A trial paused, or stopped while its run was cut short, finishes without a run.
                const bool running = open_runs_.count(result.id) > 0;
                if (running || result.status != TrialStatus::stopped) end_run(result.id, outcome_of(result.status), time_s);
                finished.result = std::move(result);
                finished.finished_s = time_s;
                finished.paused = false;
                break;
            }
            case Event::trial_attempt_failed: end_run(integer_field(record, "trial"), TrialRun::Outcome::attempt_failed, time_s); break;
            case Event::trial_interrupted: end_run(integer_field(record, "trial"), TrialRun::Outcome::interrupted, time_s); break;
            case Event::trial_stopped_early:
            case Event::trial_paused:
                history_.early_stops.push_back({integer_field(record, "trial"), integer_field(record, "epoch"),
                                                config::number_from_json(record.at("fom")), config::number_from_json(record.at("cut"))});
                break;
            case Event::trial_parked: {
                const std::int64_t id = integer_field(record, "trial");
                end_run(id, TrialRun::Outcome::paused, time_s);
                trial(id).paused = true;
                break;
            }
            case Event::trial_promoted:
                trial(integer_field(record, "trial")).paused = false;
                start_run(integer_field(record, "trial"), record, time_s);
                break;
            case Event::rung_reached: break;  // what the optimizer was told: epoch_finished has it
            case Event::group_lost: history_.lost_groups.insert(static_cast<int>(integer_field(record, "group"))); break;
            case Event::run_interrupted: interrupted_ = true; break;
            case Event::run_finished:
                end_open_runs(TrialRun::Outcome::lost, time_s);  // left running past the grace
                history_.state = interrupted_ ? RunState::interrupted : RunState::finished;
                history_.stop_reason = record.value("stop_reason", "");
                break;
        }
    }

    void add_trial(const Json& record, double time_s) {
        TrialHistory trial;
        trial.trial = suggested_trial(record);
        trial.suggested_s = time_s;
        const std::int64_t id = trial.trial.id;
        if (index_.count(id)) fail(fmt::format("trial {} is suggested twice", id));
        index_[id] = history_.trials.size();
        history_.trials.push_back(std::move(trial));
        start_run(id, record, time_s);
    }

    [[noreturn]] void fail(const std::string& what) const { throw JournalError(fmt::format("line {}: {}", line_, what)); }

    double record_time(const Json& record) {
        const auto time = record.find("time");
        if (time == record.end() || !time->is_string()) fail("a record without its \"time\"");
        const double seconds = utc_seconds(time->get<std::string>());
        if (std::isnan(seconds)) fail(fmt::format("\"{}\" is not a time", time->get<std::string>()));
        if (!origin_) origin_ = seconds;
        return std::round((seconds - *origin_) * 1000) / 1000;  // the records' milliseconds, no more
    }

    void start_session(double time_s) {
        end_open_runs(TrialRun::Outcome::lost, history_.last_record_s);  // the session before was killed
        history_.sessions.push_back({time_s, time_s});
        history_.state = RunState::unfinished;
        history_.stop_reason.clear();
        interrupted_ = false;
        history_.last_record_s = std::max(history_.last_record_s, time_s);
    }

    TrialHistory& trial(std::int64_t id) {
        const auto found = index_.find(id);
        if (found == index_.end()) fail(fmt::format("trial {} was never suggested", id));
        return history_.trials[found->second];
    }

    void start_run(std::int64_t id, const Json& record, double time_s) {
        const int group = static_cast<int>(integer_field(record, "group"));
        TrialHistory& started = trial(id);
        if (open_runs_.count(id)) fail(fmt::format("trial {} is handed out while it runs", id));
        started.group = group;
        started.runs.push_back(history_.runs.size());
        open_runs_[id] = history_.runs.size();
        history_.runs.push_back({id, group, time_s, time_s, TrialRun::Outcome::running});
    }

    void end_run(std::int64_t id, TrialRun::Outcome outcome, double time_s) {
        trial(id);
        const auto open = open_runs_.find(id);
        if (open == open_runs_.end()) fail(fmt::format("trial {} ends without running", id));
        history_.runs[open->second].end_s = time_s;
        history_.runs[open->second].outcome = outcome;
        open_runs_.erase(open);
    }

    void end_open_runs(TrialRun::Outcome outcome, double time_s) {
        for (const auto& [id, run] : open_runs_) {
            history_.runs[run].end_s = time_s;
            history_.runs[run].outcome = outcome;
        }
        open_runs_.clear();
    }

    RunHistory history_;
    std::map<std::int64_t, std::size_t> index_;      // trial id -> its place in history_.trials
    std::map<std::int64_t, std::size_t> open_runs_;  // trial id -> its run under way
    std::optional<double> origin_;
    bool interrupted_ = false;
    std::size_t line_ = 0;
};

}  // namespace

std::string to_string(TrialRun::Outcome outcome) {
    switch (outcome) {
        case TrialRun::Outcome::running: return "running";
        case TrialRun::Outcome::ok: return "ok";
        case TrialRun::Outcome::failed: return "failed";
        case TrialRun::Outcome::stopped: return "stopped";
        case TrialRun::Outcome::paused: return "paused";
        case TrialRun::Outcome::attempt_failed: return "attempt failed";
        case TrialRun::Outcome::interrupted: return "interrupted";
        case TrialRun::Outcome::lost: return "lost";
    }
    return "?";
}

std::string to_string(RunState state) {
    switch (state) {
        case RunState::finished: return "finished";
        case RunState::interrupted: return "interrupted";
        case RunState::unfinished: return "unfinished";
    }
    return "?";
}

const TrialHistory& RunHistory::trial(std::int64_t id) const {
    // Trials are suggested in the order of their ids.
    const auto found = std::lower_bound(trials.begin(), trials.end(), id,
                                        [](const TrialHistory& trial, std::int64_t id) { return trial.trial.id < id; });
    if (found == trials.end() || found->trial.id != id) throw std::out_of_range(fmt::format("no trial {}", id));
    return *found;
}

std::vector<const TrialHistory*> RunHistory::finished() const {
    std::vector<const TrialHistory*> done;
    for (const TrialHistory& trial : trials) {
        if (trial.result) done.push_back(&trial);
    }
    std::stable_sort(done.begin(), done.end(), [](const auto* a, const auto* b) { return a->finished_s < b->finished_s; });
    return done;
}

double RunHistory::active_s() const {
    double active = 0;
    for (const Session& session : sessions) active += session.end_s - session.start_s;
    return active;
}

int RunHistory::groups() const {
    int groups = 0;
    for (const TrialRun& run : runs) groups = std::max(groups, run.group + 1);
    return groups;
}

RunHistory run_history(const std::vector<Json>& records) {
    if (records.empty()) throw JournalError("no record yet: the run has not started");
    HistoryBuilder builder;
    for (std::size_t i = 0; i < records.size(); ++i) builder.add(records[i], i + 1);
    return builder.finish();
}

RunHistory read_run_history(const std::filesystem::path& journal) {
    const JournalContents contents = read_journal(journal);
    RunHistory history;
    try {
        history = run_history(contents.records);
    } catch (const JournalError& error) {
        throw JournalError(fmt::format("{}: {}", journal.string(), error.what()));
    }
    history.torn = contents.torn;
    return history;
}

double utc_seconds(const std::string& time) {
    std::tm parts{};
    int millis = 0;
    char zone = 0;
    const int read = std::sscanf(time.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                                 &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &millis, &zone);
    if (read != 8 || zone != 'Z') return NAN;
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    return static_cast<double>(timegm(&parts)) + millis / 1000.0;
}

}  // namespace hpopt::journal
