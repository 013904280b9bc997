#pragma once
// The JSON type used throughout hpopt. Ordered, so that objects keep the order the user
// wrote (the search space's dimensions, a trial's parameters).
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hpopt {
using Json = nlohmann::ordered_json;
}

namespace hpopt::config {

// Text that hpopt does not take as JSON: a syntax error, a number out of range, a key twice in
// one object (JSON leaves that open; nlohmann keeps the last, which hides a slip such as two
// "space" objects), or nesting deeper than max_json_depth. `path` names where ("" for the top,
// "space.lr", "list[2]"), the message says what.
class InvalidJson : public std::runtime_error {
public:
    InvalidJson(std::string path, std::string message);
    const std::string& path() const { return path_; }
    const std::string& message() const { return message_; }

private:
    std::string path_;
    std::string message_;
};

// Objects and arrays nested deeper than this are refused: nlohmann copies and dumps values by
// recursion, which a deeper document would run out of stack with.
inline constexpr int max_json_depth = 64;

// Parses JSON text for hpopt: a spec, a journal record. Throws InvalidJson.
Json parse_json(const std::string& text);

// Numbers as JSON, with null for NaN and the infinities (JSON has none), and back: null is NaN.
Json number_to_json(double value);
double number_from_json(const Json& json);
Json numbers_to_json(const std::vector<double>& values);
std::vector<double> numbers_from_json(const Json& json);

}  // namespace hpopt::config
