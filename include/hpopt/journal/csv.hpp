#pragma once
// Fields of CSV files (RFC 4180), as results.csv and `hpopt export` write them.
#include <string>

#include "hpopt/config/json.hpp"

namespace hpopt::journal {

// Quoted when it holds a comma, a quote or a line break, with its quotes doubled.
std::string csv_field(const std::string& text);
// A parameter's value: a string as it is, anything else as JSON.
std::string csv_value(const Json& value);
// Empty for NaN and the infinities.
std::string csv_number(double value);

}  // namespace hpopt::journal
