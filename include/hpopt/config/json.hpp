#pragma once
// The JSON type used throughout hpopt. Ordered, so that objects keep the order the user
// wrote (the search space's dimensions, a trial's parameters).
#include <nlohmann/json.hpp>

namespace hpopt {
using Json = nlohmann::ordered_json;
}
