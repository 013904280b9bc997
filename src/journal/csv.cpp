#include "hpopt/journal/csv.hpp"

#include <cmath>

#include <fmt/format.h>

namespace hpopt::journal {

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string csv_value(const Json& value) { return csv_field(value.is_string() ? value.get<std::string>() : value.dump()); }

std::string csv_number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : ""; }

}  // namespace hpopt::journal
