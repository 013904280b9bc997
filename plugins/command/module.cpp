#include "command_workload.hpp"

HPOPT_PLUGIN(hpopt::command::plugin)
