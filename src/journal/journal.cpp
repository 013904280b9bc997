#include "hpopt/journal/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
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

}  // namespace

std::string to_string(TrialStatus status) {
    switch (status) {
        case TrialStatus::ok: return "ok";
        case TrialStatus::failed: return "failed";
        case TrialStatus::interrupted: return "interrupted";
    }
    return "?";
}

TrialStatus trial_status_from(const std::string& name) {
    for (TrialStatus status : {TrialStatus::ok, TrialStatus::failed, TrialStatus::interrupted}) {
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
    record["time"] = log::utc_timestamp();
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

Json run_started(const Json& spec_document, const std::string& fingerprint, const std::string& version,
                 const std::string& fom_name) {
    return {{"event", "run_started"}, {"hpopt_version", version}, {"spec_fingerprint", fingerprint},
            {"fom_name", fom_name},   {"spec", spec_document}};
}

Json trial_suggested(const Trial& trial, int group, const std::vector<std::int64_t>& pending, std::int64_t told) {
    return {{"event", "trial_suggested"}, {"trial", trial.id}, {"group", group}, {"params", trial.params},
            {"point", trial.point}, {"seed", trial.seed}, {"pending", pending}, {"told", told}};
}

Json trial_finished(const TrialResult& result) {
    Json record = {{"event", "trial_finished"},
                   {"trial", result.id},
                   {"status", to_string(result.status)},
                   {"fom", number_to_json(result.fom)},
                   {"fom_std", number_to_json(result.fom_std)},
                   {"fold_foms", Json::array()},
                   {"started_s", result.started_s},
                   {"duration_s", result.duration_s}};
    for (double fom : result.fold_foms) record["fold_foms"].push_back(number_to_json(fom));
    if (!result.epoch_foms.empty()) {
        record["epoch_foms"] = Json::array();
        for (const auto& fold : result.epoch_foms) record["epoch_foms"].push_back(numbers_to_json(fold));
    }
    if (!result.ok()) record["reason"] = result.reason;
    return record;
}

Json epoch_finished(const EpochReport& report) {
    Json record{{"event", "epoch_finished"}, {"trial", report.trial}, {"fold", report.fold}, {"epoch", report.epoch},
                {"fom", number_to_json(report.fom)}};
    if (report.details.is_object() && !report.details.empty()) record["training"] = report.details;
    return record;
}

Json number_to_json(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json numbers_to_json(const std::vector<double>& values) {
    Json json = Json::array();
    for (double value : values) json.push_back(number_to_json(value));
    return json;
}

std::vector<double> numbers_from_json(const Json& json) {
    std::vector<double> values;
    for (const Json& value : json) values.push_back(value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>());
    return values;
}

Json run_interrupted(const std::vector<std::int64_t>& unfinished_trials) {
    return {{"event", "run_interrupted"}, {"unfinished_trials", unfinished_trials}};
}

Json run_resumed(const std::vector<std::int64_t>& in_flight, const std::string& dropped) {
    Json record{{"event", "run_resumed"}, {"in_flight", in_flight}};
    if (!dropped.empty()) record["dropped_torn_record"] = dropped;
    return record;
}

Json trial_resumed(std::int64_t trial, int group) { return {{"event", "trial_resumed"}, {"trial", trial}, {"group", group}}; }

Json trial_interrupted(std::int64_t trial, const std::string& reason) {
    return {{"event", "trial_interrupted"}, {"trial", trial}, {"reason", reason}};
}

Json trial_attempt_failed(const TrialResult& result, int attempt) {
    return {{"event", "trial_attempt_failed"}, {"trial", result.id},       {"attempt", attempt},
            {"reason", result.reason},         {"started_s", result.started_s}, {"duration_s", result.duration_s}};
}

Json trial_retried(std::int64_t trial, int group, int attempt) {
    return {{"event", "trial_retried"}, {"trial", trial}, {"group", group}, {"attempt", attempt}};
}

Json run_finished(const std::string& stop_reason, const Json& summary) {
    return {{"event", "run_finished"}, {"stop_reason", stop_reason}, {"summary", summary}};
}

}  // namespace hpopt::journal
