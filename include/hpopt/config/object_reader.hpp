#pragma once
// Reads one JSON object of a configuration: typed accessors that record a problem (with the
// JSON path, the value and what was expected) instead of throwing, so that a whole file is
// checked at once. Every key asked for is remembered as a key the object may hold; finish()
// reports the others as unknown, with a "did you mean" hint.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/config/problems.hpp"

namespace hpopt::config {

class ObjectReader {
public:
    // Records a problem (and reads nothing) when `value` is not an object.
    ObjectReader(const Json& value, std::string path, Problems& problems);

    const std::string& path() const { return path_; }
    bool valid() const { return object_ != nullptr; }

    // The path of a key of this object: "space" + "lr" -> "space.lr".
    std::string path_of(const std::string& key) const;

    bool has(const std::string& key);
    void require(const std::string& key);  // a problem when the key is missing

    std::optional<double> number(const std::string& key);
    std::optional<std::int64_t> integer(const std::string& key);
    std::optional<std::string> string(const std::string& key);
    std::optional<bool> boolean(const std::string& key);
    // Which of `names` the string under `key` is, as its index; nullopt when the key is missing,
    // or for another value (a problem: "expected one of ...", or a "did you mean" hint).
    std::optional<std::size_t> choice(const std::string& key, const std::vector<std::string>& names);
    // The value whatever its type; nullptr when the key is missing.
    const Json* any(const std::string& key);
    // A nested object; nullopt when the key is missing or holds something else.
    std::optional<ObjectReader> object(const std::string& key);
    // The objects of the array under `key`, each read at "<key>[i]"; none when the key is left
    // out. An array that is not one, or an element that is not an object, is a problem.
    std::vector<ObjectReader> objects(const std::string& key);

    // With a fallback for keys left out.
    double number_or(const std::string& key, double fallback) { return number(key).value_or(fallback); }
    std::int64_t integer_or(const std::string& key, std::int64_t fallback) {
        return integer(key).value_or(fallback);
    }
    std::string string_or(const std::string& key, const std::string& fallback) {
        return string(key).value_or(fallback);
    }
    bool boolean_or(const std::string& key, bool fallback) { return boolean(key).value_or(fallback); }

    // A problem about the value under `key`: "<path>.<key>: <message> (got <value>)".
    void report(const std::string& key, const std::string& message);
    // A problem about this object as a whole.
    void report_here(const std::string& message);

    // Reports every key that no accessor asked for.
    void finish();

private:
    const Json* lookup(const std::string& key);
    void report_type(const std::string& key, const char* expected);

    const Json* object_ = nullptr;
    std::string path_;
    Problems* problems_;
    std::set<std::string> known_keys_;
};

// "value" rendered for a message: strings quoted, long values shortened.
std::string describe_value(const Json& value);

// The closest of `candidates` to `word` when it is close enough to be a likely typo.
std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace hpopt::config
