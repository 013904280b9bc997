#include "cli/export_command.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "hpopt/journal/run_directory.hpp"
#include "hpopt/report/export.hpp"

namespace hpopt::cli {

int export_command(const ExportOptions& options) {
    const report::RunView run = report::RunView::read(options.run_dir);
    const std::string text = options.format == "json" ? report::trials_json(run).dump(2) + "\n" : report::trials_csv(run);
    if (options.output.empty()) {
        fmt::print("{}", text);
    } else {
        journal::write_atomically(options.output, text);
    }
    return 0;
}

}  // namespace hpopt::cli
