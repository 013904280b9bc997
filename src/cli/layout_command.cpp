#include "cli/layout_command.hpp"

#include <fmt/format.h>

#include "cli/exit_status.hpp"
#include "hpopt/cluster/layout.hpp"
#include "hpopt/spec/spec.hpp"
#include "hpopt/workload/plugin_loader.hpp"

namespace hpopt::cli {

int layout_command(const std::string& spec_path, std::optional<int> ranks) {
    const spec::Spec spec = spec::load(spec_path, workload::PluginLoader());
    const cluster::Layout layout(spec.layout);
    if (ranks && !layout.mismatch(*ranks).empty()) {
        fmt::print(stderr, "hpopt: {}: {}\n", spec_path, layout.mismatch(*ranks));
        return exit_bad_input;
    }
    fmt::print("{}", cluster::describe(layout, spec.training.parallelism == train::Parallelism::pipeline));
    return 0;
}

}  // namespace hpopt::cli
