#include "hpopt/workload/parameter_reader.hpp"

#include <fmt/format.h>

#include "hpopt/workload/workload.hpp"

namespace hpopt::workload {

const Json* ParameterReader::find(const std::string& name) const {
    if (const auto found = params_.find(name); found != params_.end()) return &*found;
    if (const auto found = options_.find(name); found != options_.end()) return &*found;
    return nullptr;
}

template <class Value>
Value ParameterReader::get(const std::string& name, const Value& fallback, const char* expected) const {
    const Json* value = find(name);
    if (!value) return fallback;
    try {
        return value->get<Value>();
    } catch (const Json::exception&) {
        throw TrialFailure(fmt::format("the model parameter {} = {} is not {}", name, value->dump(), expected));
    }
}

std::int64_t ParameterReader::integer(const std::string& name, std::int64_t fallback) const {
    return get(name, fallback, "an integer");
}

double ParameterReader::number(const std::string& name, double fallback) const { return get(name, fallback, "a number"); }

std::string ParameterReader::text(const std::string& name, const std::string& fallback) const {
    return get(name, fallback, "a string");
}

bool ParameterReader::boolean(const std::string& name, bool fallback) const { return get(name, fallback, "true or false"); }

}  // namespace hpopt::workload
