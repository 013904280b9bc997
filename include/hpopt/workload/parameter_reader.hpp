#pragma once
// A trained workload's model hyper-parameter: the trial's parameter of that name (a dimension
// of the space), else the workload's option of that name, else a fallback. A value of the
// wrong type fails the trial.
#include <cstdint>
#include <string>

#include "hpopt/config/json.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::workload {

class ParameterReader {
public:
    ParameterReader(const space::Params& params, const Json& options) : params_(params), options_(options) {}

    std::int64_t integer(const std::string& name, std::int64_t fallback) const;
    double number(const std::string& name, double fallback) const;
    std::string text(const std::string& name, const std::string& fallback) const;
    bool boolean(const std::string& name, bool fallback) const;

private:
    const Json* find(const std::string& name) const;
    template <class Value>
    Value get(const std::string& name, const Value& fallback, const char* expected) const;
    const space::Params& params_;
    const Json& options_;
};

}  // namespace hpopt::workload
