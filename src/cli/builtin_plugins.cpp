#include "builtin_plugins.hpp"

#include "analytic_plugin.hpp"

namespace hpopt::cli {

workload::Registry builtin_plugins() {
    workload::Registry registry;
    registry.add(analytic::plugin());
    return registry;
}

}  // namespace hpopt::cli
