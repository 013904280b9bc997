#include "layout_command.hpp"

#include <fmt/format.h>

#include "hpopt/workload/plugin_loader.hpp"
#include "hpopt/cluster/layout.hpp"

namespace hpopt::cli {

int layout_command(const std::string& spec_path, std::optional<int> ranks) {
    const spec::Spec spec = spec::load(spec_path, workload::PluginLoader());
    const cluster::Layout layout(spec.layout);
    if (ranks && !layout.mismatch(*ranks).empty()) {
        fmt::print(stderr, "hpopt: {}: {}\n", spec_path, layout.mismatch(*ranks));
        return 2;
    }
    fmt::print("{}", cluster::describe(layout));
    return 0;
}

}  // namespace hpopt::cli
