#include "hpopt/config/object_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace hpopt::config {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters ("lgo" is one edit from "log").
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

const char* type_name(const Json& value) {
    if (value.is_number_integer()) return "an integer";
    if (value.is_number()) return "a number";
    if (value.is_string()) return "a string";
    if (value.is_boolean()) return "a boolean";
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return "null";
}

}  // namespace

std::string describe_value(const Json& value) {
    constexpr std::size_t max_length = 60;
    if (value.is_object() || value.is_array()) {
        std::string text = value.dump();
        if (text.size() <= max_length) return text;
        return std::string(type_name(value)) + " of " + std::to_string(value.size()) + " elements";
    }
    std::string text = value.dump();
    if (text.size() > max_length) text = text.substr(0, max_length - 3) + "...";
    return text;
}

std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    const std::size_t tolerance = std::max<std::size_t>(1, word.size() / 3);
    if (best && best_distance <= tolerance) return best;
    return std::nullopt;
}

ObjectReader::ObjectReader(const Json& value, std::string path, Problems& problems)
    : path_(std::move(path)), problems_(&problems) {
    if (value.is_object()) {
        object_ = &value;
    } else {
        problems.push_back({path_, "expected an object (got " + describe_value(value) + ")"});
    }
}

std::string ObjectReader::path_of(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
}

const Json* ObjectReader::lookup(const std::string& key) {
    known_keys_.insert(key);
    if (!object_) return nullptr;
    const auto found = object_->find(key);
    return found == object_->end() ? nullptr : &*found;
}

bool ObjectReader::has(const std::string& key) { return lookup(key) != nullptr; }

void ObjectReader::require(const std::string& key) {
    if (object_ && !has(key)) problems_->push_back({path_of(key), "required key is missing"});
}

void ObjectReader::report(const std::string& key, const std::string& message) {
    const Json* value = lookup(key);
    std::string text = message;
    if (value) text += " (got " + describe_value(*value) + ")";
    problems_->push_back({path_of(key), text});
}

void ObjectReader::report_here(const std::string& message) { problems_->push_back({path_, message}); }

void ObjectReader::report_type(const std::string& key, const char* expected) {
    report(key, std::string("expected ") + expected);
}

std::optional<double> ObjectReader::number(const std::string& key) {
    const Json* value = lookup(key);
    if (!value) return std::nullopt;
    if (!value->is_number()) {
        report_type(key, "a number");
        return std::nullopt;
    }
    return value->get<double>();
}

std::optional<std::int64_t> ObjectReader::integer(const std::string& key) {
    const Json* value = lookup(key);
    if (!value) return std::nullopt;
    if (value->is_number_integer()) return value->get<std::int64_t>();
    // 8.0 is accepted as 8; 8.5 is not.
    if (value->is_number_float()) {
        const double number = value->get<double>();
        if (std::isfinite(number) && std::floor(number) == number && std::fabs(number) < 9.0e15) {
            return static_cast<std::int64_t>(number);
        }
    }
    report_type(key, "an integer");
    return std::nullopt;
}

std::optional<std::string> ObjectReader::string(const std::string& key) {
    const Json* value = lookup(key);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
        report_type(key, "a string");
        return std::nullopt;
    }
    return value->get<std::string>();
}

std::optional<bool> ObjectReader::boolean(const std::string& key) {
    const Json* value = lookup(key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) {
        report_type(key, "true or false");
        return std::nullopt;
    }
    return value->get<bool>();
}

std::optional<std::size_t> ObjectReader::choice(const std::string& key, const std::vector<std::string>& names) {
    const auto name = string(key);
    if (!name) return std::nullopt;
    const auto found = std::find(names.begin(), names.end(), *name);
    if (found != names.end()) return static_cast<std::size_t>(found - names.begin());
    std::string message = fmt::format("expected one of {}", fmt::join(names, ", "));
    if (const auto hint = closest_match(*name, names)) message = "unknown value (did you mean \"" + *hint + "\"?)";
    report(key, message);
    return std::nullopt;
}

const Json* ObjectReader::any(const std::string& key) { return lookup(key); }

std::optional<ObjectReader> ObjectReader::object(const std::string& key) {
    const Json* value = lookup(key);
    if (!value) return std::nullopt;
    const std::size_t problems_before = problems_->size();
    ObjectReader child(*value, path_of(key), *problems_);
    if (problems_->size() != problems_before) return std::nullopt;
    return child;
}

std::vector<ObjectReader> ObjectReader::objects(const std::string& key) {
    std::vector<ObjectReader> children;
    const Json* value = lookup(key);
    if (!value) return children;
    if (!value->is_array()) {
        report_type(key, "an array of objects");
        return children;
    }
    for (std::size_t i = 0; i < value->size(); ++i) {
        ObjectReader child((*value)[i], path_of(key) + "[" + std::to_string(i) + "]", *problems_);
        if (child.valid()) children.push_back(std::move(child));
    }
    return children;
}

void ObjectReader::finish() {
    if (!object_) return;
    const std::vector<std::string> known(known_keys_.begin(), known_keys_.end());
    for (const auto& item : object_->items()) {
        if (known_keys_.count(item.key())) continue;
        std::string message = "unknown key";
        if (const auto hint = closest_match(item.key(), known)) message += " (did you mean \"" + *hint + "\"?)";
        problems_->push_back({path_of(item.key()), message});
    }
}

}  // namespace hpopt::config
