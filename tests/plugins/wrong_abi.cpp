// A plugin module as an hpopt built against other headers would have made it.
#include "hpopt/workload/plugin.hpp"

extern "C" const char* hpopt_plugin_abi() { return "hpopt-plugin-0 gxx-abi-1002"; }
extern "C" void hpopt_plugin_describe(hpopt::workload::Plugin& plugin) { plugin.name = "wrong_abi"; }
