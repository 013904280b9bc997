#include "hpopt/config/json.hpp"

#include <cmath>
#include <limits>

namespace hpopt::config {

Json number_to_json(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

double number_from_json(const Json& json) {
    return json.is_null() ? std::numeric_limits<double>::quiet_NaN() : json.get<double>();
}

Json numbers_to_json(const std::vector<double>& values) {
    Json json = Json::array();
    for (double value : values) json.push_back(number_to_json(value));
    return json;
}

std::vector<double> numbers_from_json(const Json& json) {
    std::vector<double> values;
    for (const Json& value : json) values.push_back(number_from_json(value));
    return values;
}

}  // namespace hpopt::config
