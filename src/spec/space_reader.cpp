#include "spec/space_reader.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hpopt::spec {
namespace {

const std::vector<std::string> dimension_types = {"real", "int", "categorical", "fixed"};

std::optional<double> finite_number(config::ObjectReader& reader, const std::string& key) {
    reader.require(key);
    const auto value = reader.number(key);
    if (value && !std::isfinite(*value)) {
        reader.report(key, "must be a finite number");
        return std::nullopt;
    }
    return value;
}

space::Domain read_real(config::ObjectReader& reader) {
    const auto low = finite_number(reader, "low");
    const auto high = finite_number(reader, "high");
    const bool log = reader.boolean_or("log", false);
    if (low && high && !(*low < *high)) reader.report("low", fmt::format("must be < high ({})", *high));
    if (log && low && !(*low > 0)) reader.report("low", "must be > 0 when \"log\": true");
    return space::RealRange{low.value_or(0), high.value_or(1), log};
}

space::Domain read_int(config::ObjectReader& reader) {
    reader.require("low");
    reader.require("high");
    const auto low = reader.integer("low");
    const auto high = reader.integer("high");
    const bool log = reader.boolean_or("log", false);
    constexpr std::int64_t limit = std::int64_t{1} << 52;  // every int exactly representable as a double
    for (const auto& [key, value] : {std::pair{"low", low}, std::pair{"high", high}}) {
        if (value && (*value < -limit || *value > limit)) reader.report(key, "must be within +-2^52");
    }
    if (low && high && !(*low < *high)) {
        reader.report("low", fmt::format("must be < high ({}); use \"type\": \"fixed\" for a single value", *high));
    }
    if (log && low && *low < 1) reader.report("low", "must be >= 1 when \"log\": true");
    return space::IntRange{low.value_or(0), high.value_or(1), log};
}

space::Domain read_categorical(config::ObjectReader& reader, config::Problems& problems) {
    reader.require("choices");
    const Json* choices = reader.any("choices");
    space::Choices domain;
    if (!choices) return domain;
    if (!choices->is_array() || choices->empty()) {
        reader.report("choices", "expected a non-empty array of strings, numbers or booleans");
        return domain;
    }
    for (std::size_t i = 0; i < choices->size(); ++i) {
        const Json& choice = (*choices)[i];
        const std::string path = fmt::format("{}[{}]", reader.path_of("choices"), i);
        if (!choice.is_string() && !choice.is_number() && !choice.is_boolean()) {
            problems.push_back({path, "expected a string, a number or a boolean (got " + config::describe_value(choice) + ")"});
        } else if (std::find(domain.values.begin(), domain.values.end(), choice) != domain.values.end()) {
            problems.push_back({path, "duplicate choice (got " + config::describe_value(choice) + ")"});
        } else {
            domain.values.push_back(choice);
        }
    }
    return domain;
}

space::Domain read_fixed(config::ObjectReader& reader) {
    reader.require("value");
    const Json* value = reader.any("value");
    return space::Fixed{value ? *value : Json()};
}

space::Dimension read_dimension(config::ObjectReader& reader, const std::string& name,
                                               config::Problems& problems) {
    reader.require("type");
    const auto type = reader.string("type");
    space::Dimension dimension{name, space::Fixed{}};
    if (type == "real") {
        dimension.domain = read_real(reader);
    } else if (type == "int") {
        dimension.domain = read_int(reader);
    } else if (type == "categorical") {
        dimension.domain = read_categorical(reader, problems);
    } else if (type == "fixed") {
        dimension.domain = read_fixed(reader);
    } else {
        if (type) {
            std::string message = "unknown type; expected one of real, int, categorical, fixed";
            if (const auto hint = config::closest_match(*type, dimension_types)) message = "unknown type (did you mean \"" + *hint + "\"?)";
            reader.report("type", message);
        }
        return dimension;  // without a known type, which other keys belong is unknown
    }
    reader.finish();
    return dimension;
}

}  // namespace

std::optional<space::Space> read_space(const Json& space_json, const std::string& path, config::Problems& problems) {
    const std::size_t problems_before = problems.size();
    config::ObjectReader reader(space_json, path, problems);
    if (!reader.valid()) return std::nullopt;
    std::vector<space::Dimension> dimensions;
    for (const auto& item : space_json.items()) {
        if (item.key().empty()) {
            reader.report_here("a dimension needs a non-empty name");
            continue;
        }
        config::ObjectReader dimension_reader(item.value(), reader.path_of(item.key()), problems);
        if (dimension_reader.valid()) dimensions.push_back(read_dimension(dimension_reader, item.key(), problems));
    }
    if (problems.size() != problems_before) return std::nullopt;
    const bool searched = std::any_of(dimensions.begin(), dimensions.end(), [](const auto& d) { return d.searched(); });
    if (!searched) {
        reader.report_here("needs at least one dimension that is not fixed");
        return std::nullopt;
    }
    return space::Space(std::move(dimensions));
}

}  // namespace hpopt::spec
