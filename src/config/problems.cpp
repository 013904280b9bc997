#include "hpopt/config/problems.hpp"

namespace hpopt::config {
namespace {

std::string join_lines(const Problems& problems) {
    std::string text;
    for (const auto& problem : problems) {
        if (!text.empty()) text += '\n';
        text += to_string(problem);
    }
    return text;
}

}  // namespace

std::string to_string(const Problem& problem) {
    if (problem.path.empty()) return problem.message;
    return problem.path + ": " + problem.message;
}

InvalidConfig::InvalidConfig(Problems problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

}  // namespace hpopt::config
