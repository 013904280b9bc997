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
