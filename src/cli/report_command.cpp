#include "cli/report_command.hpp"

#include <fmt/format.h>

#include "hpopt/journal/run_directory.hpp"
#include "hpopt/report/html_report.hpp"
#include "hpopt/report/timeline.hpp"
#include "hpopt/version.hpp"

namespace hpopt::cli {

int report_command(const std::string& run_dir) {
    const journal::RunDirectory run{run_dir};
    const report::RunView view = report::RunView::read(run.dir);
    journal::write_atomically(run.report_html(), report::html_report(view, std::string("hpopt ") + version));
    journal::write_atomically(run.timeline_json(), report::chrome_trace(view).dump() + "\n");
    fmt::print("{}\n{} (open it in https://ui.perfetto.dev or chrome://tracing)\n", run.report_html().string(),
               run.timeline_json().string());
    return 0;
}

}  // namespace hpopt::cli
