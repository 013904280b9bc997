#pragma once
// Test functions on mixed spaces shaped like hyper-parameter searches (log learning rates,
// log-int widths and batches, ints, fractions, categoricals, and the interactions between
// them that make tuning hard: the best learning rate moves with the optimizer and the batch).
// Each is a made-up validation error of 0 at its best setting and grows away from it.
#include <string>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::benchmarks {

struct MixedFunction {
    std::string name;
    std::vector<space::Dimension> dimensions;
    double (*evaluate)(const Json& params);
};

const std::vector<MixedFunction>& mixed_functions();
const MixedFunction* find_mixed_function(const std::string& name);

// The dimensions as a spec's "space" object.
Json space_json(const std::vector<space::Dimension>& dimensions);

}  // namespace hpopt::benchmarks
