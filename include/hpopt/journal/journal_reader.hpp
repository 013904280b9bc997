#pragma once
// Reading a run's journal back, to resume the run. A crash while a record was being written
// leaves a torn last line: it is dropped (and can be cut from the file) with a warning. A line
// that is not a record anywhere else means the journal is damaged: refused.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/journal/trial.hpp"

namespace hpopt::journal {

class JournalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct JournalContents {
    std::vector<Json> records;
    std::uintmax_t intact_bytes = 0;  // the length of the file without its torn tail
    std::string torn;                 // what was dropped, for a warning; empty when nothing
};

// The records of a journal's text: a last line that is not a whole record is torn (cut off by
// a crash) and left out; any other such line throws JournalError, naming `source` and the line.
JournalContents parse_journal(const std::string& text, const std::string& source);
JournalContents read_journal(const std::filesystem::path& path);

// Cuts the file to `contents.intact_bytes` when it has a torn tail, so that appending goes on
// from the last whole record.
void cut_torn_tail(const std::filesystem::path& path, const JournalContents& contents);

// A record's integer field; JournalError when it is missing or not an integer of that type.
std::int64_t integer_field(const Json& record, const char* key);

// A trial_suggested record's trial, and a trial_finished record's result.
Trial suggested_trial(const Json& record);
TrialResult finished_result(const Json& record);
// The report of an epoch_finished record (a FoM that was not finite is NaN).
EpochReport epoch_report(const Json& record);

}  // namespace hpopt::journal
