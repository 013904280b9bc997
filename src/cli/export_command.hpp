#pragma once
// `hpopt export RUN_DIR --format csv|json [--output FILE]`: every trial of a run, for other
// programs (report::trials_csv, report::trials_json); on stdout unless --output names a file.
#include <string>

namespace hpopt::cli {

struct ExportOptions {
    std::string run_dir;
    std::string format = "csv";
    std::string output;  // stdout when empty
};

// Returns the exit status; throws journal::JournalError when RUN_DIR holds no readable run.
int export_command(const ExportOptions& options);

}  // namespace hpopt::cli
