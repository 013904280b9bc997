#include "hpopt/journal/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "hpopt/journal/run_directory.hpp"
#include "hpopt/log/log.hpp"

namespace hpopt::journal {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

[[noreturn]] void throw_in_use(const std::filesystem::path& journal) {
    throw RunDirectoryInUse(fmt::format("{} is being written by another hpopt process: its run goes on", journal.string()));
}

// Early stopping's verdict on a trial.
Json verdict_record(Event event, std::int64_t trial, std::int64_t epoch, double fom, double cut, const std::string& basis) {
    return {{"event", to_string(event)}, {"trial", trial}, {"epoch", epoch}, {"fom", config::number_to_json(fom)},
            {"cut", config::number_to_json(cut)}, {"basis", basis}};
}

}  // namespace

std::string to_string(TrialStatus status) {
    switch (status) {
        case TrialStatus::ok: return "ok";
        case TrialStatus::failed: return "failed";
        case TrialStatus::stopped: return "stopped";
        case TrialStatus::interrupted: return "interrupted";
    }
    return "?";
}

TrialStatus trial_status_from(const std::string& name) {
    for (TrialStatus status : {TrialStatus::ok, TrialStatus::failed, TrialStatus::stopped, TrialStatus::interrupted}) {
        if (to_string(status) == name) return status;
    }
    throw std::invalid_argument(fmt::format("\"{}\" is not a trial status", name));
}

Journal::Journal(const std::filesystem::path& path, Open open) : path_(path) {
    const int mode = open == Open::create ? O_CREAT | O_EXCL : 0;
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | mode, 0644);
    if (fd_ < 0) fail(open == Open::create ? "cannot create the journal" : "cannot open the journal", path);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        ::close(fd_);
        throw_in_use(path);
    }
}

bool is_being_written(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return locked;
}

void refuse_if_being_written(const std::filesystem::path& path) {
    if (is_being_written(path)) throw_in_use(path);
}

Journal::~Journal() {
    if (fd_ >= 0) ::close(fd_);
}

void Journal::append(Json record, Sync sync) {
    record["time"] = timestamp_ ? timestamp_() : log::utc_timestamp();
    const std::string line = record.dump() + "\n";
    std::size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write the journal", path_);
        written += static_cast<std::size_t>(n);
    }
    if (sync == Sync::now) this->sync();
}

void Journal::sync() {
    if (::fsync(fd_) != 0) fail("cannot sync the journal", path_);
}

std::string to_string(Event event) {
    switch (event) {
        case Event::run_started: return "run_started";
        case Event::run_resumed: return "run_resumed";
        case Event::trial_suggested: return "trial_suggested";
        case Event::trial_resumed: return "trial_resumed";
        case Event::trial_retried: return "trial_retried";
        case Event::epoch_finished: return "epoch_finished";
        case Event::trial_finished: return "trial_finished";
        case Event::trial_attempt_failed: return "trial_attempt_failed";
        case Event::trial_interrupted: return "trial_interrupted";
        case Event::trial_stopped_early: return "trial_stopped_early";
        case Event::trial_paused: return "trial_paused";
        case Event::trial_parked: return "trial_parked";
        case Event::trial_promoted: return "trial_promoted";
        case Event::rung_reached: return "rung_reached";
        case Event::group_lost: return "group_lost";
        case Event::run_interrupted: return "run_interrupted";
        case Event::run_finished: return "run_finished";
    }
    return "?";
}

std::optional<Event> event_of(const Json& record) {
    static const std::map<std::string, Event> events = [] {
        std::map<std::string, Event> by_name;
        for (int e = 0; e <= static_cast<int>(Event::run_finished); ++e) by_name[to_string(static_cast<Event>(e))] = static_cast<Event>(e);
        return by_name;
    }();
    const auto name = record.find("event");
    if (name == record.end() || !name->is_string()) return std::nullopt;
    const auto found = events.find(name->get<std::string>());
    if (found == events.end()) return std::nullopt;
    return found->second;
}

Json run_started_record(const Json& spec_document, const std::string& fingerprint, const std::string& version,
                 const std::string& fom_name) {
    return {{"event", to_string(Event::run_started)}, {"hpopt_version", version}, {"spec_fingerprint", fingerprint},
            {"fom_name", fom_name},   {"spec", spec_document}};
}

Json trial_suggested_record(const Trial& trial, int group, const Asked& asked) {
    Json record = {{"event", to_string(Event::trial_suggested)}, {"trial", trial.id}, {"group", group}, {"params", trial.params},
                   {"point", trial.point}, {"seed", trial.seed}, {"told", asked.told}};
    if (asked.pending) record["pending"] = *asked.pending;
    if (asked.pending_change) {
        record["pending_added"] = asked.pending_change->added;
        record["pending_removed"] = asked.pending_change->removed;
    }
    return record;
}

Json trial_finished_record(const TrialResult& result) {
    Json record = {{"event", to_string(Event::trial_finished)},
                   {"trial", result.id},
                   {"status", to_string(result.status)},
                   {"fom", config::number_to_json(result.fom)},
                   {"fom_std", config::number_to_json(result.fom_std)},
                   {"fold_foms", Json::array()},
                   {"started_s", result.started_s},
                   {"duration_s", result.duration_s}};
    for (double fom : result.fold_foms) record["fold_foms"].push_back(config::number_to_json(fom));
    if (!result.figures.empty()) record["figures"] = result.figures;
    if (!result.epoch_foms.empty()) {
        record["epoch_foms"] = Json::array();
        for (const auto& fold : result.epoch_foms) record["epoch_foms"].push_back(config::numbers_to_json(fold));
    }
    if (!result.ok()) record["reason"] = result.reason;
    if (result.status == TrialStatus::stopped) record["epoch"] = result.stopped_epoch;
    return record;
}

Json epoch_finished_record(const EpochReport& report) {
    Json record{{"event", to_string(Event::epoch_finished)}, {"trial", report.trial}, {"fold", report.fold}, {"epoch", report.epoch},
                {"fom", config::number_to_json(report.fom)}};
    if (report.details.is_object() && !report.details.empty()) record["training"] = report.details;
    return record;
}

Json run_interrupted_record(const std::vector<std::int64_t>& unfinished_trials) {
    return {{"event", to_string(Event::run_interrupted)}, {"unfinished_trials", unfinished_trials}};
}

Json run_resumed_record(const std::vector<std::int64_t>& in_flight, const std::string& dropped, const spec::Layout& layout) {
    Json record{{"event", to_string(Event::run_resumed)},
                {"in_flight", in_flight},
                {"layout",
                 {{"groups", layout.groups},
                  {"folds", layout.folds},
                  {"masters", layout.masters},
                  {"workers", layout.workers},
                  {"ranks_per_worker", layout.ranks_per_worker}}}};
    if (!dropped.empty()) record["dropped_torn_record"] = dropped;
    return record;
}

Json trial_resumed_record(std::int64_t trial, int group) { return {{"event", to_string(Event::trial_resumed)}, {"trial", trial}, {"group", group}}; }

Json trial_interrupted_record(std::int64_t trial, const std::string& reason) {
    return {{"event", to_string(Event::trial_interrupted)}, {"trial", trial}, {"reason", reason}};
}

Json trial_attempt_failed_record(const TrialResult& result, int attempt) {
    return {{"event", to_string(Event::trial_attempt_failed)}, {"trial", result.id},       {"attempt", attempt},
            {"reason", result.reason},         {"started_s", result.started_s}, {"duration_s", result.duration_s}};
}

Json trial_retried_record(std::int64_t trial, int group, int attempt) {
    return {{"event", to_string(Event::trial_retried)}, {"trial", trial}, {"group", group}, {"attempt", attempt}};
}

Json trial_stopped_early_record(std::int64_t trial, std::int64_t epoch, double fom, double cut, const std::string& basis) {
    return verdict_record(Event::trial_stopped_early, trial, epoch, fom, cut, basis);
}

Json trial_paused_record(std::int64_t trial, std::int64_t epoch, double fom, double cut, const std::string& basis) {
    return verdict_record(Event::trial_paused, trial, epoch, fom, cut, basis);
}

Json trial_parked_record(std::int64_t trial) { return {{"event", to_string(Event::trial_parked)}, {"trial", trial}}; }

Json rung_reached_record(std::int64_t trial, std::int64_t epoch, double fom) {
    return {{"event", to_string(Event::rung_reached)}, {"trial", trial}, {"epoch", epoch}, {"fom", config::number_to_json(fom)}};
}

Json trial_promoted_record(std::int64_t trial, int group) {
    return {{"event", to_string(Event::trial_promoted)}, {"trial", trial}, {"group", group}};
}

Json group_lost_record(int group, std::int64_t trial, const std::string& reason) {
    return {{"event", to_string(Event::group_lost)}, {"group", group}, {"trial", trial}, {"reason", reason}};
}

Json run_finished_record(const std::string& stop_reason, const Json& summary) {
    return {{"event", to_string(Event::run_finished)}, {"stop_reason", stop_reason}, {"summary", summary}};
}

}  // namespace hpopt::journal
