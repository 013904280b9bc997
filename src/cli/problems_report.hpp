#pragma once
#include <string>

#include "hpopt/config/problems.hpp"

namespace hpopt::cli {

// One line per problem on stderr: "hpopt: SPEC: path: message".
void report_problems(const std::string& spec_path, const config::InvalidConfig& error);

}  // namespace hpopt::cli
