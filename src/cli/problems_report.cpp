#include "cli/problems_report.hpp"

#include <fmt/format.h>

namespace hpopt::cli {

void report_problems(const std::string& spec_path, const config::InvalidConfig& error) {
    for (const auto& problem : error.problems()) {
        fmt::print(stderr, "hpopt: {}: {}\n", spec_path, config::to_string(problem));
    }
}

}  // namespace hpopt::cli
