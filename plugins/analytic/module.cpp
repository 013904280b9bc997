#include "analytic_plugin.hpp"

HPOPT_PLUGIN(hpopt::analytic::plugin)
