#pragma once
// `hpopt report RUN_DIR`: <run dir>/report.html (report::html_report) and timeline.json
// (report::chrome_trace) from the run's journal, also while the run goes on.
#include <string>

namespace hpopt::cli {

// Returns the exit status; throws journal::JournalError when RUN_DIR holds no readable run.
int report_command(const std::string& run_dir);

}  // namespace hpopt::cli
