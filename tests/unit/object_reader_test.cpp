#include <doctest/doctest.h>

#include "hpopt/config/object_reader.hpp"

using namespace hpopt;
using config::ObjectReader;

TEST_CASE("typed accessors report a wrong type with the path and the value") {
    config::Problems problems;
    const Json json = {{"n", "five"}, {"x", 2.5}, {"flag", 1}, {"name", 3}};
    ObjectReader reader(json, "budget", problems);
    CHECK_FALSE(reader.integer("n"));
    CHECK_FALSE(reader.integer("x"));
    CHECK_FALSE(reader.boolean("flag"));
    CHECK_FALSE(reader.string("name"));
    REQUIRE(problems.size() == 4);
    CHECK(config::to_string(problems[0]) == "budget.n: expected an integer (got \"five\")");
    CHECK(config::to_string(problems[1]) == "budget.x: expected an integer (got 2.5)");
    CHECK(config::to_string(problems[2]) == "budget.flag: expected true or false (got 1)");
    CHECK(config::to_string(problems[3]) == "budget.name: expected a string (got 3)");
}

TEST_CASE("an integral number written with a fraction is an integer") {
    config::Problems problems;
    const Json json = {{"n", 8.0}};
    ObjectReader reader(json, "", problems);
    CHECK(reader.integer("n") == 8);
    CHECK(problems.empty());
}

TEST_CASE("missing required keys and unknown keys are reported, with a hint for typos") {
    config::Problems problems;
    const Json json = {{"trails", 10}, {"zzz", 1}};
    ObjectReader reader(json, "budget", problems);
    reader.require("trials");
    reader.integer("trials");
    reader.number("wall_time_s");
    reader.finish();
    REQUIRE(problems.size() == 3);
    CHECK(config::to_string(problems[0]) == "budget.trials: required key is missing");
    CHECK(config::to_string(problems[1]) == "budget.trails: unknown key (did you mean \"trials\"?)");
    CHECK(config::to_string(problems[2]) == "budget.zzz: unknown key");
}

TEST_CASE("a value that is not an object is reported once") {
    config::Problems problems;
    ObjectReader reader(Json(42), "layout", problems);
    CHECK_FALSE(reader.valid());
    CHECK_FALSE(reader.integer("groups"));
    reader.finish();
    REQUIRE(problems.size() == 1);
    CHECK(config::to_string(problems[0]) == "layout: expected an object (got 42)");
}

TEST_CASE("closest_match suggests only likely typos") {
    CHECK(config::closest_match("sobel", {"random", "sobol"}) == "sobol");
    CHECK(config::closest_match("bayesian", {"random", "sobol"}) == std::nullopt);
}

TEST_CASE("JSON text with a key twice in an object, or nested too deep, is refused with its path") {
    CHECK(config::parse_json(R"({"a": {"b": [1, {"c": 2}]}})")["a"]["b"][1]["c"] == 2);
    try {
        config::parse_json(R"({"name": "x", "space": {"lr": 1}, "list": [0, {"k": 1, "k": 2}]})");
        FAIL("a repeated key was taken");
    } catch (const config::InvalidJson& error) {
        CHECK(error.path() == "list[1].k");
        CHECK(error.message() == "the key appears twice in its object");
    }
    CHECK_THROWS_WITH_AS(config::parse_json(R"({"space": {}, "space": {}})"), "space: the key appears twice in its object",
                         config::InvalidJson);
    CHECK(config::parse_json(R"([{"k": 1}, {"k": 2}])").size() == 2);  // the same key in two objects is fine

    const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK_NOTHROW(config::parse_json(nested(config::max_json_depth)));
    CHECK_THROWS_WITH_AS(config::parse_json(nested(config::max_json_depth + 1)), doctest::Contains("nested deeper than 64"),
                         config::InvalidJson);
    // Deep enough to overflow a recursive parse, copy or dump: refused at once.
    CHECK_THROWS_AS(config::parse_json(std::string(200000, '[') + std::string(200000, ']')), config::InvalidJson);
    CHECK_THROWS_WITH(config::parse_json("{\"a\": }"), doctest::Contains("not valid JSON: line 1, column 7"));
}
