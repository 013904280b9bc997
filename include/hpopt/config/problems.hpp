#pragma once
// Problems found while reading a configuration, each tied to its JSON path.
#include <stdexcept>
#include <string>
#include <vector>

namespace hpopt::config {

struct Problem {
    std::string path;     // e.g. "space.lr.low"; empty for the document itself
    std::string message;  // what was expected, with the value that was found
};

using Problems = std::vector<Problem>;

// "space.lr.low: must be > 0 when \"log\": true (got -1)"
std::string to_string(const Problem& problem);

// Thrown when a configuration has one or more problems; what() lists them all.
class InvalidConfig : public std::runtime_error {
public:
    explicit InvalidConfig(Problems problems);
    const Problems& problems() const { return problems_; }

private:
    Problems problems_;
};

}  // namespace hpopt::config
