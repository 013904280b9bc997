#include "calo_gan.hpp"

HPOPT_PLUGIN(hpopt::calo_gan::plugin)
