// Optimizer quality and cost on the analytic test functions: for each optimizer, function and
// budget, runs the search over many seeds and prints a Markdown table of the median and mean
// simple regret (best value found minus the known minimum) and the optimizer's own time
// (ask + tell) per run.
//
//   optimizer_benchmark --optimizers 'random;sobol;{"kind": "bayes", "xi": 0.01}'
//       --problems branin:50,hartmann6:100,mlp7:60 --seeds 20 --pending 0
//
// A problem is an analytic test function (plugins/analytic) or a mixed space of
// mixed_functions.hpp, whose minimum is 0. For a multi-objective problem (zdt1, zdt2, dtlz2)
// the optimizer is told every objective, and the regret is the hypervolume of its whole front
// less that of the points evaluated, both against (1.1, ..., 1.1).
//
// With --pending P, P suggestions are always outstanding: each ask sees them as pending and
// the oldest is told before the next ask, as with P + 1 groups working at once. With --batch B,
// the asks come B at a time (Optimizer::ask_batch), as the coordinator's model thread makes them,
// and the oldest B are told before the next batch.
#include <algorithm>
#include <chrono>
#include <deque>
#include <numeric>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hpopt/optim/settings.hpp"
#include "hpopt/pareto/hypervolume.hpp"
#include "mixed_functions.hpp"
#include "test_functions.hpp"

using namespace hpopt;

namespace {

struct Problem {
    const analytic::TestFunction* function;  // or
    const benchmarks::MixedFunction* mixed;
    int dimensions;
    int evaluations;

    std::string name() const { return function ? function->name : mixed->name; }
    double minimum() const { return function ? function->minimum : 0.0; }
};

// "ackley10:2000" -> Ackley in 10 dimensions, 2000 evaluations; "branin:50".
Problem parse_problem(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("expected FUNCTION[D]:EVALUATIONS, got " + text);
    std::string name = text.substr(0, colon);
    const int evaluations = std::stoi(text.substr(colon + 1));
    if (const auto* mixed = benchmarks::find_mixed_function(name)) {
        return {nullptr, mixed, static_cast<int>(mixed->dimensions.size()), evaluations};
    }
    for (const auto& function : analytic::test_functions()) {
        if (name.rfind(function.name, 0) != 0) continue;
        const std::string suffix = name.substr(function.name.size());
        if (function.dimensions != 0 && suffix.empty()) return {&function, nullptr, function.dimensions, evaluations};
        if (function.dimensions == 0 && !suffix.empty()) return {&function, nullptr, std::stoi(suffix), evaluations};
    }
    throw std::invalid_argument("unknown problem " + name + " (any-d functions need their d: ackley10)");
}

// A kind ("bayes") or a whole optimizer object ({"kind": "bayes", "xi": 0.01}).
optim::Settings parse_optimizer(const std::string& text) {
    config::Problems problems;
    const Json json = text.front() == '{' ? Json::parse(text) : Json{{"kind", text}};
    config::ObjectReader reader(json, "optimizer", problems);
    optim::Settings settings = optim::read_settings(reader, nullptr);
    if (!problems.empty()) throw config::InvalidConfig(problems);
    return settings;
}

space::Space space_of(const Problem& problem) {
    if (problem.mixed) return space::Space(problem.mixed->dimensions);
    std::vector<space::Dimension> dimensions;
    const auto bounds = problem.function->domain(problem.dimensions);
    for (int i = 0; i < problem.dimensions; ++i) {
        dimensions.push_back({"x" + std::to_string(i + 1), space::RealRange{bounds[i].low, bounds[i].high, false}});
    }
    return space::Space(dimensions);
}

// Each objective's value (one for a single-objective problem).
std::vector<double> evaluate(const Problem& problem, const Json& params) {
    if (problem.mixed) return {problem.mixed->evaluate(params)};
    std::vector<double> x(problem.dimensions);
    for (int i = 0; i < problem.dimensions; ++i) x[i] = params.at("x" + std::to_string(i + 1)).get<double>();
    if (problem.function->objectives) return problem.function->objectives(x);
    return {problem.function->evaluate(x)};
}

// The best value's distance from the minimum, or the hypervolume's from the front's.
double regret(const Problem& problem, const std::vector<std::vector<double>>& evaluated) {
    if (problem.function && problem.function->objectives) {
        const pareto::Losses reference(evaluated.front().size(), analytic::hypervolume_reference);
        return problem.function->front_hypervolume - pareto::hypervolume(evaluated, reference);
    }
    double best = std::numeric_limits<double>::infinity();
    for (const auto& values : evaluated) best = std::min(best, values.front());
    return best - problem.minimum();
}

struct RunResult {
    double regret;
    double optimizer_seconds;
};

RunResult run_once(optim::Settings settings, const Problem& problem, std::uint64_t seed, int pending_count, int batch) {
    if (auto* evolution = std::get_if<optim::evolution::EvolutionSettings>(&settings)) {
        if (evolution->generations == 0) evolution->generations = optim::evolution::generations_for_budget(*evolution, problem.evaluations);
    }
    const space::Space space = space_of(problem);
    auto optimizer = optim::make_optimizer(settings, space, seed);
    std::deque<optim::Point> pending;
    std::vector<std::vector<double>> evaluated;
    double optimizer_seconds = 0;
    const auto evaluate_and_tell = [&](const optim::Point& point) {
        const std::vector<double> values = evaluate(problem, space.decode(point));
        evaluated.push_back(values);
        const auto start = std::chrono::steady_clock::now();
        optimizer->tell({point, values.front(), false, std::nullopt, values.size() > 1 ? values : std::vector<double>{}});
        optimizer_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (int asked = 0; asked < problem.evaluations;) {
        const auto count = static_cast<std::size_t>(std::min(batch, problem.evaluations - asked));
        const auto start = std::chrono::steady_clock::now();
        const std::vector<optim::Point> points = optimizer->ask_batch({pending.begin(), pending.end()}, count);
        optimizer_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (points.empty()) break;
        asked += static_cast<int>(points.size());
        pending.insert(pending.end(), points.begin(), points.end());
        while (static_cast<int>(pending.size()) > pending_count) {
            evaluate_and_tell(pending.front());
            pending.pop_front();
        }
    }
    for (const auto& point : pending) evaluate_and_tell(point);
    return {regret(problem, evaluated), optimizer_seconds};
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(separator, start), text.size());
        if (comma > start) parts.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return parts;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Optimizer regret and cost on analytic test functions"};
    std::string optimizers = "random;sobol", problems = "branin:50,hartmann6:100";
    int seeds = 20, pending = 0, batch = 1;
    app.add_option("--optimizers", optimizers, "Optimizer kinds or JSON objects, separated by ';'");
    app.add_option("--problems", problems, "Comma-separated FUNCTION[D]:EVALUATIONS");
    app.add_option("--seeds", seeds, "Runs per cell, seeds 0..N-1");
    app.add_option("--pending", pending, "Suggestions outstanding at every ask");
    app.add_option("--batch", batch, "Suggestions asked at once")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);

    fmt::print("| optimizer | function | d | evaluations | pending | batch | seeds | median regret | mean regret | ask+tell per run | ask+tell per trial |\n");
    fmt::print("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& problem_text : split(problems, ',')) {
        const Problem problem = parse_problem(problem_text);
        for (const auto& kind : split(optimizers, ';')) {
            const optim::Settings settings = parse_optimizer(kind);
            std::vector<double> regrets;
            double seconds = 0;
            for (int seed = 0; seed < seeds; ++seed) {
                const RunResult result = run_once(settings, problem, static_cast<std::uint64_t>(seed), pending, batch);
                regrets.push_back(result.regret);
                seconds += result.optimizer_seconds;
            }
            const double mean = std::accumulate(regrets.begin(), regrets.end(), 0.0) / seeds;
            const double per_run = seconds / seeds;
            fmt::print("| {} | {} | {} | {} | {} | {} | {} | {:.4g} | {:.4g} | {:.3g} ms | {:.3g} µs |\n", kind,
                       problem.name(), problem.dimensions, problem.evaluations, pending, batch, seeds, median(regrets),
                       mean, per_run * 1e3, per_run / problem.evaluations * 1e6);
        }
    }
}
