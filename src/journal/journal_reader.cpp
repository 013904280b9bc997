#include "hpopt/journal/journal_reader.hpp"

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "hpopt/journal/journal.hpp"

namespace hpopt::journal {
namespace {

std::string excerpt(const std::string& line) { return line.size() > 60 ? line.substr(0, 57) + "..." : line; }

}  // namespace

JournalContents parse_journal(const std::string& text, const std::string& source) {
    JournalContents contents;
    std::size_t begin = 0, number = 0;
    while (begin < text.size()) {
        const std::size_t end = text.find('\n', begin);
        const bool last = end == std::string::npos || end + 1 == text.size();
        const std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        ++number;
        Json record;
        try {
            record = config::parse_json(line);
        } catch (const config::InvalidJson&) {  // not JSON, a key twice, too deep: not a record
        }
        const bool whole = end != std::string::npos && record.is_object() && record.contains("event");
        if (!whole) {
            if (!last) {
                throw JournalError(fmt::format("{}: line {} is not a journal record (\"{}\"): the journal is damaged",
                                               source, number, excerpt(line)));
            }
            contents.torn = fmt::format("line {} (\"{}\")", number, excerpt(line));
            break;
        }
        contents.records.push_back(std::move(record));
        begin = end + 1;
        contents.intact_bytes = begin;
    }
    return contents;
}

JournalContents read_journal(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw JournalError(fmt::format("cannot read the journal {}", path.string()));
    std::stringstream buffer;
    buffer << file.rdbuf();
    return parse_journal(buffer.str(), path.string());
}

void cut_torn_tail(const std::filesystem::path& path, const JournalContents& contents) {
    if (!contents.torn.empty()) std::filesystem::resize_file(path, contents.intact_bytes);
}

std::int64_t integer_field(const Json& record, const char* key) {
    const auto found = record.find(key);
    // A float converted to an integer type out of its range would be undefined behaviour.
    const bool fits = found != record.end() && found->is_number_integer() &&
                      !(found->is_number_unsigned() && found->get<std::uint64_t>() > INT64_MAX);
    if (!fits) throw JournalError(fmt::format("a record without an integer \"{}\": {}", key, excerpt(record.dump())));
    return found->get<std::int64_t>();
}

Trial suggested_trial(const Json& record) {
    const Json* seed = record.contains("seed") ? &record.at("seed") : nullptr;
    if (!seed || !seed->is_number_unsigned()) {
        throw JournalError(fmt::format("a trial_suggested record without an unsigned \"seed\": {}", excerpt(record.dump())));
    }
    try {
        return {integer_field(record, "trial"), record.at("params"), record.at("point").get<space::Point>(), seed->get<std::uint64_t>()};
    } catch (const Json::exception& error) {
        throw JournalError(fmt::format("a trial_suggested record without its fields ({}): {}", error.what(), excerpt(record.dump())));
    }
}

TrialResult finished_result(const Json& record) {
    try {
        TrialResult result;
        result.id = integer_field(record, "trial");
        result.status = trial_status_from(record.at("status").get<std::string>());
        result.fom = config::number_from_json(record.at("fom"));
        result.fom_std = config::number_from_json(record.at("fom_std"));
        result.fold_foms = config::numbers_from_json(record.at("fold_foms"));
        if (record.contains("epoch_foms")) {
            for (const Json& fold : record.at("epoch_foms")) result.epoch_foms.push_back(config::numbers_from_json(fold));
        }
        result.reason = record.value("reason", "");
        result.figures = record.value("figures", Json::object());
        if (result.status == TrialStatus::stopped) result.stopped_epoch = integer_field(record, "epoch");
        result.started_s = record.at("started_s").get<double>();
        result.duration_s = record.at("duration_s").get<double>();
        return result;
    } catch (const std::exception& error) {  // a missing field, or a status that is none
        throw JournalError(fmt::format("a trial_finished record without its fields ({}): {}", error.what(), excerpt(record.dump())));
    }
}

EpochReport epoch_report(const Json& record) {
    EpochReport report;
    report.trial = integer_field(record, "trial");
    report.fold = static_cast<int>(integer_field(record, "fold"));
    report.epoch = integer_field(record, "epoch");
    const Json fom = record.value("fom", Json());
    report.fom = fom.is_number() ? fom.get<double>() : std::numeric_limits<double>::quiet_NaN();
    report.details = record.value("training", Json());
    return report;
}

}  // namespace hpopt::journal
