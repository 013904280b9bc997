#include "analytic_plugin.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "hpopt/workload/direct_plugin.hpp"
#include "hpopt/workload/team.hpp"
#include "learning_curve.hpp"
#include "simulated_duration.hpp"
#include "test_functions.hpp"

namespace hpopt::analytic {
namespace {

struct Options {
    const TestFunction* function = nullptr;
    int dimensions = 0;
    SimulatedDuration duration;
    double noise = 0;
    double failure_rate = 0;  // verdicts: TrialFailure, the same for every attempt
    double fault_rate = 0;    // faults: another exception, drawn anew for each attempt
    double step_s = 0.02;     // how often the simulated run looks at its deadline and interruption
    std::optional<std::int64_t> epochs;  // a learning curve of this many epochs (see learning_curve.hpp)
    double curve_gap = 1;                // its largest distance above the final value
    bool team = false;  // every rank of the fold team evaluates, each step taken together
    std::set<std::int64_t> hang_trials;        // a stuck node: these trials' first runs never return
    std::set<std::int64_t> rank_fault_trials;  // these trials' first runs throw on one rank
};

// The step at which an injected rank fault strikes, and which rank of the team it strikes.
constexpr int rank_fault_step = 4;
int last_rank(const workload::TrialContext& context) {
    int size = 1;
    if (context.team != MPI_COMM_NULL) MPI_Comm_size(context.team, &size);
    return size - 1;
}
int rank_in_team(const workload::TrialContext& context) {
    int rank = 0;
    if (context.team != MPI_COMM_NULL) MPI_Comm_rank(context.team, &rank);
    return rank;
}

std::string input_name(int i) { return "x" + std::to_string(i + 1); }

bool is_numeric(const space::Dimension& dimension) {
    if (const auto* fixed = std::get_if<space::Fixed>(&dimension.domain)) return fixed->value.is_number();
    return std::holds_alternative<space::RealRange>(dimension.domain) ||
           std::holds_alternative<space::IntRange>(dimension.domain);
}

const space::Dimension* find_dimension(const space::Space& space, const std::string& name) {
    for (const auto& dimension : space.dimensions()) {
        if (dimension.name == name) return &dimension;
    }
    return nullptr;
}

// For a function of any dimension: as many as the space has x1, x2, ... in a row.
int count_inputs(const space::Space& space) {
    int count = 0;
    while (find_dimension(space, input_name(count))) ++count;
    return count;
}

void read_dimensions(config::ObjectReader& reader, const space::Space* space, Options& options) {
    const TestFunction& function = *options.function;
    const auto given = reader.integer("dimensions");
    if (function.dimensions != 0) {
        options.dimensions = function.dimensions;
        if (given && *given != function.dimensions) {
            reader.report("dimensions", fmt::format("{} has {} dimensions", function.name, function.dimensions));
        }
        return;
    }
    if (given) {
        options.dimensions = static_cast<int>(*given);
    } else if (space) {
        options.dimensions = count_inputs(*space);
    }
    if (options.dimensions < function.min_dimensions && (given || space)) {
        reader.report(given ? "dimensions" : "function",
                      fmt::format("{} needs at least {} dimension(s): parameters x1, x2, ... in the space",
                                  function.name, function.min_dimensions));
    }
}

void check_inputs(config::ObjectReader& reader, const space::Space& space, const Options& options) {
    for (int i = 0; i < options.dimensions; ++i) {
        const std::string name = input_name(i);
        const space::Dimension* dimension = find_dimension(space, name);
        if (!dimension || !is_numeric(*dimension)) {
            reader.report("function", fmt::format("{} reads numeric parameters x1..x{} from the space; {} is {}",
                                                  options.function->name, options.dimensions, name,
                                                  dimension ? "not numeric" : "missing"));
            return;
        }
    }
}

std::set<std::int64_t> read_trial_ids(config::ObjectReader& reader, const std::string& key) {
    const Json* ids = reader.any(key);
    if (!ids) return {};
    if (!ids->is_array() || !std::all_of(ids->begin(), ids->end(), [](const Json& id) { return id.is_number_integer(); })) {
        reader.report(key, "must be a list of trial ids");
        return {};
    }
    return ids->get<std::set<std::int64_t>>();
}

Options read_options(config::ObjectReader& reader, const space::Space* space) {
    Options options;
    reader.require("function");
    if (const auto name = reader.string("function")) {
        options.function = find_test_function(*name);
        if (!options.function) {
            std::string message = "unknown function; expected one of " + fmt::format("{}", fmt::join(test_function_names(), ", "));
            if (const auto hint = config::closest_match(*name, test_function_names())) {
                message = "unknown function (did you mean \"" + *hint + "\"?)";
            }
            reader.report("function", message);
        }
    }
    if (options.function) read_dimensions(reader, space, options);
    if (options.function && space) check_inputs(reader, *space, options);
    options.duration = read_simulated_duration(reader, "duration_s");
    options.noise = reader.number_or("noise", 0);
    if (!(options.noise >= 0)) reader.report("noise", "must be >= 0 (the standard deviation of the noise)");
    options.failure_rate = reader.number_or("failure_rate", 0);
    if (!(options.failure_rate >= 0 && options.failure_rate <= 1)) reader.report("failure_rate", "must be in [0, 1]");
    options.fault_rate = reader.number_or("fault_rate", 0);
    if (!(options.fault_rate >= 0 && options.fault_rate <= 1)) reader.report("fault_rate", "must be in [0, 1]");
    options.step_s = reader.number_or("step_s", options.step_s);
    if (!(options.step_s > 0)) reader.report("step_s", "must be > 0");
    options.epochs = reader.integer("epochs");
    if (options.epochs && *options.epochs < 1) reader.report("epochs", "must be >= 1");
    options.curve_gap = reader.number_or("curve_gap", options.curve_gap);
    if (!(options.curve_gap >= 0)) reader.report("curve_gap", "must be >= 0");
    if (reader.has("curve_gap") && !options.epochs) reader.report("curve_gap", "applies with \"epochs\" only");
    if (options.epochs && options.function && options.function->objectives) {
        reader.report("epochs", options.function->name + " has several objectives: it has no learning curve");
    }
    options.team = reader.boolean_or("team", false);
    options.hang_trials = read_trial_ids(reader, "hang_trials");
    options.rank_fault_trials = read_trial_ids(reader, "rank_fault_trials");
    return options;
}

class AnalyticWorkload : public workload::Workload {
public:
    explicit AnalyticWorkload(Options options) : options_(options) {}

    std::string fom_name() const override { return options_.function->name; }
    bool trains_as_team() const override { return options_.team; }

    double evaluate(const space::Params& params, const workload::TrialContext& context) override {
        hang_if_told(context);
        throw_injected_fault(context);
        random::Rng rng(context.seed);
        const bool fails = rng.uniform() < options_.failure_rate;
        const double duration = options_.duration.draw(rng);
        if (fails) {
            pause(duration * rng.uniform(), context);
            throw workload::TrialFailure(fmt::format("injected failure (failure_rate {})", options_.failure_rate));
        }
        std::vector<double> x(options_.dimensions);
        for (int i = 0; i < options_.dimensions; ++i) x[i] = params.at(input_name(i)).get<double>();
        if (options_.function->objectives) return evaluate_objectives(x, duration, rng, context);
        const double final_value = options_.function->evaluate(x);
        if (options_.epochs) return train_along_curve(final_value, curve_of(x, options_.curve_gap), duration, context);
        pause(duration, context);
        return final_value + options_.noise * rng.normal();
    }

private:
    // A multi-objective problem reports f1, f2, ... as figures (with their noise); the FoM is f1.
    double evaluate_objectives(const std::vector<double>& x, double duration, random::Rng& rng,
                               const workload::TrialContext& context) const {
        pause(duration, context);
        std::vector<double> values = options_.function->objectives(x);
        Json figures = Json::object();
        for (std::size_t j = 0; j < values.size(); ++j) {
            values[j] += options_.noise * rng.normal();
            figures["f" + std::to_string(j + 1)] = values[j];
        }
        if (context.report_figures) context.report_figures(figures);
        return values.front();
    }

    // Epoch after epoch along the configuration's curve, each `epoch_s` long and reported, from
    // the last epoch its checkpoint holds; early stopping may stop it after any of them.
    double train_along_curve(double final_value, const LearningCurve& curve, double epoch_s,
                             const workload::TrialContext& context) const {
        const std::int64_t epochs = *options_.epochs;
        const CurveCheckpoint checkpoint(context.checkpoint_dir, context.fold);
        std::vector<double> foms = checkpoint.load();
        foms.resize(std::min(foms.size(), static_cast<std::size_t>(epochs)));
        for (std::size_t e = 0; e < foms.size() && context.report_epoch; ++e) {
            context.report_epoch(static_cast<std::int64_t>(e) + 1, foms[e], nullptr);  // as restored epochs are
        }
        for (auto epoch = static_cast<std::int64_t>(foms.size()) + 1; epoch <= epochs; ++epoch) {
            pause(epoch_s, context);
            random::Rng noise(random::derive_seed(context.seed, static_cast<std::uint64_t>(epoch)));
            foms.push_back(curve.at(final_value, epoch, epochs) + options_.noise * noise.normal());
            if (rank_in_team(context) == 0) checkpoint.save(foms);
            if (context.report_epoch) context.report_epoch(epoch, foms.back(), nullptr);
            if (epoch == epochs) break;
            as_step(context, [&] {
                if (context.stopped_early()) throw workload::TrialStopped(fmt::format("stopped early after epoch {}", epoch));
            });
        }
        return foms.back();
    }

    // A stuck node: the trial's first run sleeps for ever without looking at its deadline or
    // the search's interruption; the coordinator must find the group hung. In a team, the last
    // rank hangs and the others wait for it in their next step.
    void hang_if_told(const workload::TrialContext& context) const {
        if (context.attempt > 0 || !options_.hang_trials.count(context.trial_id)) return;
        if (rank_in_team(context) != last_rank(context)) return;
        while (true) std::this_thread::sleep_for(std::chrono::hours(1));
    }

    // A fault on one rank only (a GPU out of memory): the team's last rank throws at a step.
    void throw_rank_fault_if_told(const workload::TrialContext& context, int step) const {
        if (step != rank_fault_step || context.attempt > 0 || !options_.rank_fault_trials.count(context.trial_id)) return;
        if (const int rank = rank_in_team(context); rank == last_rank(context)) {
            throw std::runtime_error(fmt::format("injected fault on rank {} at step {}", rank, step));
        }
    }

    // A fault that may not happen again (a lost node, a full disk): drawn anew for each attempt.
    void throw_injected_fault(const workload::TrialContext& context) const {
        if (options_.fault_rate == 0) return;
        random::Rng draw(random::derive_seed(context.seed, static_cast<std::uint64_t>(context.attempt) + 1));
        if (draw.uniform() < options_.fault_rate) {
            throw std::runtime_error(fmt::format("injected fault (fault_rate {}, attempt {})", options_.fault_rate, context.attempt));
        }
    }

    // Sleeps the simulated run time in steps of about step_s, so that the trial's deadline or the
    // search's interruption stops it (at the end of a step, as a training would). A team takes
    // each step together (workload::as_team), so that what one rank throws, every rank does;
    // every rank takes as many steps.
    void pause(double seconds, const workload::TrialContext& context) const {
        if (context.simulated) return;  // the simulation gives the trial its duration
        const int steps = static_cast<int>(std::ceil(seconds / options_.step_s));
        const auto slice = std::chrono::duration<double>(seconds / std::max(steps, 1));
        for (int step = 1; step <= steps; ++step) {
            const auto take_step = [&] {
                if (context.past_deadline()) throw workload::TrialFailure("stopped at the trial's deadline");
                if (context.interrupted()) throw workload::TrialInterrupted("interrupted");
                if (context.stopped_early()) throw workload::TrialStopped("stopped early");
                throw_rank_fault_if_told(context, step);
                std::this_thread::sleep_for(slice);
            };
            as_step(context, take_step);
        }
    }

    // A team takes each step together: what one rank throws (a fault, its deadline, a stop),
    // every rank does.
    template <class Step>
    void as_step(const workload::TrialContext& context, Step&& step) const {
        if (options_.team) {
            workload::as_team(context.team, step);
        } else {
            step();
        }
    }

    Options options_;
};

}  // namespace

workload::Plugin plugin() {
    return workload::direct_plugin("analytic", read_options, [](const Options& options) { return std::make_unique<AnalyticWorkload>(options); });
}

}  // namespace hpopt::analytic
