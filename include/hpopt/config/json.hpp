#pragma once
// The JSON type used throughout hpopt. Ordered, so that objects keep the order the user
// wrote (the search space's dimensions, a trial's parameters).
#include <vector>

#include <nlohmann/json.hpp>

namespace hpopt {
using Json = nlohmann::ordered_json;
}

namespace hpopt::config {

// Numbers as JSON, with null for NaN and the infinities (JSON has none), and back: null is NaN.
Json number_to_json(double value);
double number_from_json(const Json& json);
Json numbers_to_json(const std::vector<double>& values);
std::vector<double> numbers_from_json(const Json& json);

}  // namespace hpopt::config
