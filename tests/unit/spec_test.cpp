#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "analytic_plugin.hpp"
#include "hpopt/spec/spec.hpp"

using namespace hpopt;

namespace {

const workload::Registry& plugins() {
    static const workload::Registry registry = [] {
        workload::Registry r;
        r.add(analytic::plugin());
        return r;
    }();
    return registry;
}

Json example() {
    return Json::parse(R"({
      "name": "branin-sobol", "seed": 1,
      "space": {
        "x1":    {"type": "real", "low": -5, "high": 10},
        "x2":    {"type": "real", "low": 0,  "high": 15},
        "lr":    {"type": "real", "low": 1e-5, "high": 0.1, "log": true},
        "units": {"type": "int", "low": 8, "high": 512, "log": true},
        "act":   {"type": "categorical", "choices": ["relu", "tanh", "gelu"]},
        "epochs": {"type": "fixed", "value": 5}
      },
      "optimizer": {"kind": "random"},
      "budget": {"trials": 50, "target": 0.3979, "wall_time_s": 3600},
      "objective": {"direction": "minimize"},
      "layout": {"groups": 1, "folds": 1, "masters": 0, "workers": 1, "ranks_per_worker": 1},
      "workload": {"plugin": "analytic", "function": "branin", "duration_s": 0, "noise": 0, "failure_rate": 0},
      "output": {"dir": "runs/branin-sobol"}
    })");
}

Json minimal() {
    return Json::parse(R"({
      "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15}},
      "optimizer": {"kind": "sobol"},
      "budget": {"trials": 10},
      "workload": {"plugin": "analytic", "function": "branin"}
    })");
}

// The problems a document has, one "path: message" string each.
std::vector<std::string> problems_of(const Json& document) {
    try {
        spec::parse(document, plugins(), "default");
    } catch (const config::InvalidConfig& error) {
        std::vector<std::string> lines;
        for (const auto& problem : error.problems()) lines.push_back(config::to_string(problem));
        return lines;
    }
    return {};
}

// The single problem a document has.
std::string problem_of(const Json& document) {
    const auto problems = problems_of(document);
    REQUIRE(problems.size() == 1);
    return problems.front();
}

}  // namespace

TEST_CASE("the example spec of the documentation parses") {
    const spec::Spec spec = spec::parse(example(), plugins(), "ignored");
    CHECK(spec.name == "branin-sobol");
    CHECK(spec.seed == 1);
    CHECK(spec.space.dimensions().size() == 6);
    CHECK(spec.space.size() == 5);
    CHECK(optim::kind_name(spec.optimizer) == "random");
    CHECK(spec.budget.trials == 50);
    CHECK(spec.budget.target == 0.3979);
    CHECK(spec.budget.wall_time_s == 3600);
    CHECK(spec.output_dir == "runs/branin-sobol");
    CHECK(spec.workload.plugin == "analytic");
}

TEST_CASE("keys left out take their defaults") {
    const spec::Spec spec = spec::parse(minimal(), plugins(), "from-file-name");
    CHECK(spec.name == "from-file-name");
    CHECK(spec.seed == 0);
    CHECK(spec.objective.direction == spec::Direction::minimize);
    CHECK(spec.layout.groups == 1);
    CHECK(spec.layout.folds == 1);
    CHECK(spec.layout.masters == 0);
    CHECK(spec.layout.workers == 1);
    CHECK(spec.layout.ranks_per_worker == 1);
    CHECK(spec.output_dir == "runs/from-file-name");
    CHECK_FALSE(spec.budget.target);
    CHECK(std::get<optim::SobolSettings>(spec.optimizer).scramble);
}

TEST_CASE("wrong types are reported with path, value and expectation") {
    Json document = minimal();
    document["space"]["x1"]["low"] = "minus five";
    CHECK(problem_of(document) == "space.x1.low: expected a number (got \"minus five\")");

    document = minimal();
    document["budget"]["trials"] = 2.5;
    CHECK(problem_of(document) == "budget.trials: expected an integer (got 2.5)");

    document = minimal();
    document["layout"] = {{"groups", "two"}};
    CHECK(problem_of(document) == "layout.groups: expected an integer (got \"two\")");

    document = minimal();
    document["space"] = Json::array();
    CHECK(problem_of(document) == "space: expected an object (got [])");
}

TEST_CASE("ranges are checked") {
    Json document = minimal();
    document["space"]["x1"]["low"] = 20;
    CHECK(problem_of(document) == "space.x1.low: must be < high (10) (got 20)");

    document = minimal();
    document["space"]["lr"] = {{"type", "real"}, {"low", -1}, {"high", 0.1}, {"log", true}};
    CHECK(problem_of(document) == "space.lr.low: must be > 0 when \"log\": true (got -1)");

    document = minimal();
    document["space"]["units"] = {{"type", "int"}, {"low", 0}, {"high", 512}, {"log", true}};
    CHECK(problem_of(document) == "space.units.low: must be >= 1 when \"log\": true (got 0)");

    document = minimal();
    document["space"]["n"] = {{"type", "int"}, {"low", 3}, {"high", 3}};
    CHECK(problem_of(document) ==
          "space.n.low: must be < high (3); use \"type\": \"fixed\" for a single value (got 3)");
}

TEST_CASE("choices must be a non-empty list of distinct scalars") {
    Json document = minimal();
    document["space"]["act"] = {{"type", "categorical"}, {"choices", Json::array()}};
    CHECK(problem_of(document) ==
          "space.act.choices: expected a non-empty array of strings, numbers or booleans (got [])");

    document["space"]["act"]["choices"] = {"relu", "tanh", "relu"};
    CHECK(problem_of(document) == "space.act.choices[2]: duplicate choice (got \"relu\")");

    document["space"]["act"]["choices"] = Json::parse(R"(["relu", {"a": 1}])");
    CHECK(problem_of(document) ==
          "space.act.choices[1]: expected a string, a number or a boolean (got {\"a\":1})");
}

TEST_CASE("unknown kinds, plugins and types get a hint") {
    Json document = minimal();
    document["optimizer"]["kind"] = "sobel";
    CHECK(problem_of(document) == "optimizer.kind: unknown optimizer (did you mean \"sobol\"?) (got \"sobel\")");

    document = minimal();
    document["optimizer"]["kind"] = "annealing";
    CHECK(problem_of(document) == "optimizer.kind: unknown optimizer; expected one of random, sobol, bayes, evolution, cmaes (got \"annealing\")");

    document = minimal();
    document["workload"]["plugin"] = "analytc";
    CHECK(problem_of(document) == "workload.plugin: unknown workload plugin (did you mean \"analytic\"?) (got \"analytc\")");

    document = minimal();
    document["space"]["x1"]["type"] = "float";
    CHECK(problem_of(document) == "space.x1.type: unknown type; expected one of real, int, categorical, fixed (got \"float\")");
}

TEST_CASE("constraints bound named figures; a trial missing one or outside is infeasible") {
    Json document = minimal();
    document["constraints"] = Json::parse(R"([{"name": "parameters", "max": 1000}, {"name": "latency", "min": 1, "max": 2}])");
    const spec::Spec parsed = spec::parse(document, plugins(), "default");
    REQUIRE(parsed.objective.constraints.size() == 2);
    CHECK(parsed.objective.feasible({{"parameters", 1000}, {"latency", 1.5}}));
    CHECK_FALSE(parsed.objective.feasible({{"parameters", 1001}, {"latency", 1.5}}));
    CHECK_FALSE(parsed.objective.feasible({{"parameters", 10}, {"latency", 0.5}}));
    CHECK_FALSE(parsed.objective.feasible({{"parameters", 10}}));                      // not reported
    CHECK_FALSE(parsed.objective.feasible({{"parameters", "10"}, {"latency", 1.5}}));  // not a number
    CHECK(spec::outline(document, "default").objective.constraints.size() == 2);
    CHECK(spec::parse(minimal(), plugins(), "default").objective.feasible(Json::object()));  // none: every trial

    document["constraints"] = Json::parse(R"([{"max": 1}, {"name": "a"}, {"name": "b", "min": 2, "max": 1}, 3, {"name": "c", "max": 1, "mx": 2}])");
    CHECK(problems_of(document) == std::vector<std::string>{
                                       "constraints[3]: expected an object (got 3)",  // found when the array is read
                                       "constraints[0].name: required key is missing",
                                       "constraints[1]: needs \"min\" or \"max\"",
                                       "constraints[2].max: must be >= min (got 1)",
                                       "constraints[4].mx: unknown key (did you mean \"max\"?)"});
    document["constraints"] = Json::object();
    CHECK(problem_of(document) == "constraints: expected an array of objects (got {})");
}

TEST_CASE("several objectives name figures (or the FoM) with their directions") {
    Json document = minimal();
    document["objectives"] = Json::parse(R"([{"name": "fom", "direction": "maximize"}, {"name": "latency"}])");
    const spec::Spec parsed = spec::parse(document, plugins(), "default");
    REQUIRE(parsed.objective.several());
    CHECK(parsed.objective.direction == spec::Direction::maximize);  // the FoM's, from its objective
    CHECK(parsed.objective.criteria[1].name == "latency");
    CHECK(parsed.objective.criteria[1].direction == spec::Direction::minimize);
    const Json figures = {{"latency", 2.5}};
    CHECK(parsed.objective.unreported(figures).empty());
    CHECK(parsed.objective.values(0.9, figures) == std::vector<double>{0.9, 2.5});
    CHECK(parsed.objective.losses(0.9, figures) == std::vector<double>{-0.9, 2.5});
    CHECK(parsed.objective.unreported({{"latency", "fast"}}) == std::vector<std::string>{"latency"});
    CHECK(parsed.objective.unreported(Json::object()) == std::vector<std::string>{"latency"});
    CHECK(spec::outline(document, "default").objective.criteria.size() == 2);
    CHECK_FALSE(spec::parse(minimal(), plugins(), "default").objective.several());

    document["optimizer"] = {{"kind", "evolution"}};
    const auto evolution = std::get<optim::evolution::EvolutionSettings>(spec::parse(document, plugins(), "default").optimizer);
    CHECK(evolution.population == 16);  // several objectives' defaults
    CHECK(evolution.mode == optim::evolution::Mode::steady_state);
    document["optimizer"] = {{"kind", "evolution"}, {"population", 6}, {"mode", "generational"}};
    const auto given = std::get<optim::evolution::EvolutionSettings>(spec::parse(document, plugins(), "default").optimizer);
    CHECK(given.population == 6);
    CHECK(given.mode == optim::evolution::Mode::generational);
}

TEST_CASE("several objectives: each problem named") {
    Json document = minimal();
    document["objectives"] = Json::parse(R"([{"name": "f1"}])");
    CHECK(problem_of(document) == "objectives: needs two or more objectives (for one, use \"objective\": {\"direction\": ...}) (got [{\"name\":\"f1\"}])");
    document["objectives"] = Json::parse(R"([{"name": "f1"}, {"name": "f1", "direction": "up"}])");
    CHECK(problems_of(document) == std::vector<std::string>{"objectives[1].direction: expected \"minimize\" or \"maximize\" (got \"up\")",
                                                            "objectives[1].name: names an objective already listed (got \"f1\")"});
    document["objectives"] = Json::parse(R"([{"name": "f1"}, {"name": "f2"}])");
    document["objective"] = {{"direction", "maximize"}};
    document["budget"]["target"] = 1;
    document["optimizer"] = {{"kind", "cmaes"}};
    document["early_stopping"] = {{"kind", "median"}};
    CHECK(problems_of(document) == std::vector<std::string>{
                                       "objectives: replaces \"objective\": give one or the other (got [{\"name\":\"f1\"},{\"name\":\"f2\"}])",
                                       "budget.target: a target needs a single objective",
                                       "early_stopping: judges one FoM: leave it out with \"objectives\" (got {\"kind\":\"median\"})",
                                       "optimizer.kind: cmaes optimizes one objective: use evolution (NSGA-II), bayes (ParEGO), random or sobol"});
}

TEST_CASE("budgets must be positive and bounded") {
    Json document = minimal();
    document["budget"]["trials"] = 0;
    CHECK(problem_of(document) == "budget.trials: must be >= 1 (got 0)");

    document["budget"] = {{"wall_time_s", -5}};
    CHECK(problem_of(document) == "budget.wall_time_s: must be > 0 (got -5)");

    document["budget"] = {{"target", 0.4}};
    CHECK(problem_of(document) == "budget: needs \"trials\", \"epochs\" or \"wall_time_s\" (or several), or the search would never stop");

    document["budget"] = {{"trials", 5}, {"grace_s", -1}};
    CHECK(problem_of(document) == "budget.grace_s: must be >= 0 (got -1)");
    document["budget"] = {{"trials", 5}, {"max_retries", -2}};
    CHECK(problem_of(document) == "budget.max_retries: must be >= 0 (got -2)");
}

TEST_CASE("an interrupted search waits 30 s for its trials, and runs no failure again, unless told") {
    const spec::Spec defaults = spec::parse(minimal(), plugins(), "x");
    CHECK(defaults.budget.grace_s == 30);
    CHECK(defaults.budget.max_retries == 0);
    Json document = minimal();
    document["budget"]["grace_s"] = 5;
    document["budget"]["max_retries"] = 2;
    const spec::Spec spec = spec::parse(document, plugins(), "x");
    CHECK(spec.budget.grace_s == 5);
    CHECK(spec.budget.max_retries == 2);
}

TEST_CASE("text that is not JSON, a number too large included, is one problem with its place") {
    CHECK_THROWS_WITH(spec::parse_text(R"({"seed": 1e999})", plugins(), "x"), doctest::Contains("not valid JSON: number overflow"));
    CHECK_THROWS_WITH(spec::parse_text(R"({"seed": })", plugins(), "x"), doctest::Contains("not valid JSON: line 1, column 10"));
}

TEST_CASE("a spec with a key twice, or nested past the limit, is refused with the JSON path") {
    std::string text = example().dump();
    text.insert(1, R"("space": {"y": {"type": "real", "low": 0, "high": 1}}, )");  // a second "space", first
    CHECK_THROWS_WITH_AS(spec::parse_text(text, plugins(), "x"), "space: the key appears twice in its object", config::InvalidConfig);
    const std::string deep = R"({"name": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK_THROWS_WITH_AS(spec::parse_text(deep, plugins(), "x"), doctest::Contains("name[0][0]"), config::InvalidConfig);
}

TEST_CASE("a layout of absurd size is refused") {
    Json document = minimal();
    document["layout"] = {{"groups", 100000}, {"folds", 10}, {"workers", 1000}};
    CHECK(problem_of(document) == "layout: needs 1000000001 ranks; more than 10000000 is surely a mistake");
}

TEST_CASE("missing required keys are reported, every one of them") {
    const auto problems = problems_of(Json::object());
    CHECK(problems == std::vector<std::string>{"space: required key is missing", "optimizer: required key is missing",
                                               "budget: required key is missing", "workload: required key is missing"});
}

TEST_CASE("unknown keys are reported wherever they are, with a hint") {
    Json document = minimal();
    document["budgte"] = {{"trials", 1}};
    document["space"]["x1"]["lgo"] = true;
    document["layout"] = {{"group", 2}};
    const auto problems = problems_of(document);
    CHECK(problems == std::vector<std::string>{"space.x1.lgo: unknown key (did you mean \"log\"?)",
                                               "layout.group: unknown key (did you mean \"groups\"?)",
                                               "budgte: unknown key (did you mean \"budget\"?)"});
}

TEST_CASE("the analytic workload checks its options against the space") {
    Json document = minimal();
    document["workload"]["function"] = "brainin";
    CHECK(problem_of(document) == "workload.function: unknown function (did you mean \"branin\"?) (got \"brainin\")");

    document = minimal();
    document["space"].erase("x2");
    CHECK(problem_of(document) ==
          "workload.function: branin reads numeric parameters x1..x2 from the space; x2 is missing (got \"branin\")");

    document = minimal();
    document["workload"]["failure_rate"] = 2;
    CHECK(problem_of(document) == "workload.failure_rate: must be in [0, 1] (got 2)");

    document = minimal();
    document["workload"]["duration_s"] = {{"distribution", "uniform"}, {"low", 1}};
    CHECK(problem_of(document) == "workload.duration_s.high: required key is missing");
}

TEST_CASE("all problems of a spec are reported at once") {
    Json document = minimal();
    document["seed"] = -1;
    document["space"]["x1"]["high"] = -10;
    document["optimizer"]["kind"] = 3;
    document["budget"]["trials"] = -2;
    document["objective"] = {{"direction", "up"}};
    CHECK(problems_of(document).size() == 5);
}

TEST_CASE("a spec file that is not JSON names the line and column") {
    const auto path = std::filesystem::temp_directory_path() / "hpopt_spec_test_broken.json";
    std::ofstream(path) << "{\n  \"space\": {,\n}";
    try {
        spec::load(path.string(), plugins());
        FAIL("no error");
    } catch (const config::InvalidConfig& error) {
        CHECK(std::string(error.what()).rfind("not valid JSON: line 2, column 13", 0) == 0);
    }
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(spec::load("/nonexistent/spec.json", plugins()), "cannot read the spec file /nonexistent/spec.json");
}

TEST_CASE("the fingerprint changes with the document") {
    Json changed = minimal();
    changed["seed"] = 2;
    CHECK(spec::fingerprint(minimal()) == spec::fingerprint(minimal()));
    CHECK(spec::fingerprint(minimal()) != spec::fingerprint(changed));
    CHECK(spec::fingerprint(minimal()).size() == 16);
}

TEST_CASE("an outline reads space, objective, layout and budget without the plugins") {
    Json document = example();
    document["objective"]["direction"] = "maximize";
    document["workload"] = {{"plugin", "not installed here"}};
    const spec::Outline outline = spec::outline(document, "unused");
    CHECK(outline.name == "branin-sobol");
    CHECK(outline.space.dimensions().size() == 6);
    CHECK(outline.objective.direction == spec::Direction::maximize);
    CHECK(outline.budget.trials == 50);
    CHECK(outline.layout.workers == 1);
    document["space"]["lr"]["low"] = -1;
    CHECK_THROWS_AS(spec::outline(document, "unused"), config::InvalidConfig);
}
