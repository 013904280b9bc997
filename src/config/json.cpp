#include "hpopt/config/json.hpp"

#include <cmath>
#include <limits>
#include <set>

namespace hpopt::config {
namespace {

// Follows the parser's events to refuse a repeated key or too deep a nesting, knowing the JSON
// path of each value.
class StrictReading {
public:
    bool on(int depth, Json::parse_event_t event, const Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start:
            case Json::parse_event_t::array_start:
                if (depth >= max_json_depth) {
                    throw InvalidJson(path(), "nested deeper than " + std::to_string(max_json_depth) + " objects and arrays");
                }
                containers_.push_back({event == Json::parse_event_t::object_start, {}, {}, 0});
                break;
            case Json::parse_event_t::key: {
                Container& object = containers_.back();
                object.key = parsed.get<std::string>();
                if (!object.keys.insert(object.key).second) throw InvalidJson(path(), "the key appears twice in its object");
                break;
            }
            case Json::parse_event_t::object_end:
            case Json::parse_event_t::array_end:
                containers_.pop_back();
                value_done();
                break;
            case Json::parse_event_t::value: value_done(); break;
        }
        return true;
    }

private:
    struct Container {
        bool object;
        std::set<std::string> keys;  // an object's keys so far
        std::string key;             // an object's key being read
        std::size_t index;           // an array's values so far
    };

    void value_done() {
        if (!containers_.empty() && !containers_.back().object) ++containers_.back().index;
    }

    // Where the value being read is; the new container's own place for one just started.
    std::string path() const {
        std::string path;
        for (const Container& container : containers_) {
            if (container.object) {
                path += (path.empty() ? "" : ".") + container.key;
            } else {
                path += "[" + std::to_string(container.index) + "]";
            }
        }
        return path;
    }

    std::vector<Container> containers_;
};

}  // namespace

InvalidJson::InvalidJson(std::string path, std::string message)
    : std::runtime_error(path.empty() ? message : path + ": " + message), path_(std::move(path)), message_(std::move(message)) {}

Json parse_json(const std::string& text) {
    StrictReading reading;
    try {
        return Json::parse(text, [&](int depth, Json::parse_event_t event, Json& parsed) { return reading.on(depth, event, parsed); });
    } catch (const Json::exception& error) {  // a syntax error, or a number out of range
        std::string message = error.what();
        // nlohmann's message without its "[json.exception...] " tag and "parse error at " prefix
        if (const std::size_t tag_end = message.find("] "); message.rfind("[json.exception", 0) == 0 && tag_end != std::string::npos) {
            message.erase(0, tag_end + 2);
        }
        const std::string marker = "parse error at ";
        throw InvalidJson("", "not valid JSON: " + (message.rfind(marker, 0) == 0 ? message.substr(marker.size()) : message));
    }
}

Json number_to_json(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

double number_from_json(const Json& json) {
    return json.is_null() ? std::numeric_limits<double>::quiet_NaN() : json.get<double>();
}

Json numbers_to_json(const std::vector<double>& values) {
    Json json = Json::array();
    for (double value : values) json.push_back(number_to_json(value));
    return json;
}

std::vector<double> numbers_from_json(const Json& json) {
    std::vector<double> values;
    for (const Json& value : json) values.push_back(number_from_json(value));
    return values;
}

}  // namespace hpopt::config
