// A plugin module whose file name and plugin name disagree.
#include "analytic_plugin.hpp"

static hpopt::workload::Plugin renamed() {
    hpopt::workload::Plugin plugin = hpopt::analytic::plugin();
    plugin.name = "other_name";
    return plugin;
}

HPOPT_PLUGIN(renamed)
