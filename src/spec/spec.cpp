#include "hpopt/spec/spec.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "spec/space_reader.hpp"

namespace hpopt::spec {
namespace {

// Reads an optional integer key that must be >= minimum.
int read_count(config::ObjectReader& reader, const std::string& key, int fallback, int minimum) {
    const auto value = reader.integer(key);
    if (!value) return fallback;
    if (*value < minimum || *value > 1'000'000) {
        reader.report(key, fmt::format("must be an integer in [{}, 1000000]", minimum));
        return fallback;
    }
    return static_cast<int>(*value);
}

Budget read_budget(config::ObjectReader& reader) {
    Budget budget;
    budget.trials = reader.integer("trials");
    if (budget.trials && *budget.trials < 1) reader.report("trials", "must be >= 1");
    budget.epochs = reader.integer("epochs");
    if (budget.epochs && *budget.epochs < 1) reader.report("epochs", "must be >= 1");
    budget.target = reader.number("target");
    budget.wall_time_s = reader.number("wall_time_s");
    if (budget.wall_time_s && !(*budget.wall_time_s > 0)) reader.report("wall_time_s", "must be > 0");
    budget.trial_timeout_s = reader.number("trial_timeout_s");
    if (budget.trial_timeout_s && !(*budget.trial_timeout_s > 0)) reader.report("trial_timeout_s", "must be > 0");
    budget.grace_s = reader.number_or("grace_s", budget.grace_s);
    if (!(budget.grace_s >= 0)) reader.report("grace_s", "must be >= 0");
    budget.silence_limit_s = reader.number_or("silence_limit_s", budget.silence_limit_s);
    if (!(budget.silence_limit_s > 0)) reader.report("silence_limit_s", "must be > 0");
    budget.max_retries = reader.integer_or("max_retries", 0);
    if (budget.max_retries < 0) reader.report("max_retries", "must be >= 0");
    if (!reader.has("trials") && !reader.has("epochs") && !reader.has("wall_time_s")) {
        reader.report_here("needs \"trials\", \"epochs\" or \"wall_time_s\" (or several), or the search would never stop");
    }
    reader.finish();
    return budget;
}

Direction read_direction(config::ObjectReader& reader) {
    const auto direction = reader.string("direction");
    if (direction && *direction != "minimize" && *direction != "maximize") {
        reader.report("direction", "expected \"minimize\" or \"maximize\"");
    }
    return direction == "maximize" ? Direction::maximize : Direction::minimize;
}

Objective read_objective(config::ObjectReader& reader) {
    Objective objective;
    objective.direction = read_direction(reader);
    reader.finish();
    return objective;
}

// The spec's "objectives", in place of "objective": two or more figures, each named once. The
// FoM's direction is that of the objective named "fom", if one is.
void read_objectives(config::ObjectReader& root, Objective& objective) {
    if (!root.has("objectives")) return;
    if (root.has("objective")) root.report("objectives", "replaces \"objective\": give one or the other");
    for (auto& reader : root.objects("objectives")) {
        reader.require("name");
        Criterion criterion{reader.string("name").value_or(""), read_direction(reader)};
        const bool repeated = std::any_of(objective.criteria.begin(), objective.criteria.end(),
                                          [&](const Criterion& c) { return c.name == criterion.name; });
        if (repeated) reader.report("name", "names an objective already listed");
        reader.finish();
        if (criterion.name.empty()) continue;
        if (criterion.name == Criterion::fom) objective.direction = criterion.direction;
        objective.criteria.push_back(criterion);
    }
    if (objective.criteria.size() < 2) {
        root.report("objectives", "needs two or more objectives (for one, use \"objective\": {\"direction\": ...})");
    }
}

// What a search of several objectives cannot do: a target and early stopping judge the FoM
// alone, and CMA-ES adapts to one loss.
void check_several_objectives(config::ObjectReader& root, const Spec& spec) {
    if (!spec.objective.several()) return;
    if (spec.budget.target) root.report("budget.target", "a target needs a single objective");
    if (spec.early_stopping.kind != fidelity::EarlyStoppingSettings::Kind::none) {
        root.report("early_stopping", "judges one FoM: leave it out with \"objectives\"");
    }
    if (std::holds_alternative<optim::cmaes::CmaesSettings>(spec.optimizer)) {
        root.report("optimizer.kind", "cmaes optimizes one objective: use evolution (NSGA-II), bayes (ParEGO), random or sobol");
    }
}

std::vector<Constraint> read_constraints(config::ObjectReader& root) {
    std::vector<Constraint> constraints;
    for (auto& reader : root.objects("constraints")) {
        Constraint constraint;
        reader.require("name");
        constraint.figure = reader.string("name").value_or("");
        constraint.min = reader.number("min");
        constraint.max = reader.number("max");
        if (!constraint.min && !constraint.max) reader.report_here("needs \"min\" or \"max\"");
        if (constraint.min && constraint.max && *constraint.min > *constraint.max) reader.report("max", "must be >= min");
        reader.finish();
        constraints.push_back(constraint);
    }
    return constraints;
}

Layout read_layout(config::ObjectReader& reader) {
    Layout layout;
    layout.groups = read_count(reader, "groups", layout.groups, 1);
    layout.folds = read_count(reader, "folds", layout.folds, 1);
    layout.masters = read_count(reader, "masters", layout.masters, 0);
    layout.workers = read_count(reader, "workers", layout.workers, 1);
    layout.ranks_per_worker = read_count(reader, "ranks_per_worker", layout.ranks_per_worker, 1);
    const std::int64_t ranks =
        1 + std::int64_t{layout.groups} * layout.folds *
                (layout.masters + std::int64_t{layout.workers} * layout.ranks_per_worker);
    constexpr std::int64_t max_ranks = 10'000'000;
    if (ranks > max_ranks) {
        reader.report_here(fmt::format("needs {} ranks; more than {} is surely a mistake", ranks, max_ranks));
    }
    reader.finish();
    return layout;
}

std::string unknown_plugin_message(const std::string& name, const workload::Catalog& plugins) {
    const std::vector<std::string> known = plugins.names();
    std::string message = fmt::format("unknown workload plugin; known: {}", known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", ")));
    if (const auto hint = config::closest_match(name, known)) message = "unknown workload plugin (did you mean \"" + *hint + "\"?)";
    if (const std::string where = plugins.where(); !where.empty()) message += "; looked in " + where;
    return message;
}

WorkloadSpec read_workload(config::ObjectReader& reader, const workload::Catalog& plugins, const space::Space* space,
                           const Json& document) {
    WorkloadSpec workload{reader.string_or("plugin", ""), document};
    reader.require("plugin");
    const workload::Plugin* plugin = nullptr;
    try {
        if (!workload.plugin.empty()) plugin = plugins.find(workload.plugin);
        if (!plugin && reader.has("plugin") && !workload.plugin.empty()) {
            reader.report("plugin", unknown_plugin_message(workload.plugin, plugins));
        }
    } catch (const workload::PluginError& error) {
        reader.report("plugin", error.what());
    }
    if (!plugin) return workload;  // without the plugin, its options cannot be checked
    plugin->check(reader, space);
    reader.finish();
    return workload;
}

// The workload's plugin, or null when there is none to use (reported already).
const workload::Plugin* plugin_of(const WorkloadSpec& workload, const workload::Catalog& plugins) {
    try {
        return plugins.find(workload.plugin);
    } catch (const workload::PluginError&) {
        return nullptr;
    }
}

// A plugin that evaluates trials itself, rather than having the framework train its models.
bool is_evaluated_directly(const WorkloadSpec& workload, const workload::Catalog& plugins) {
    const workload::Plugin* plugin = plugin_of(workload, plugins);
    return plugin && !plugin->is_trained();
}

bool is_trained(const WorkloadSpec& workload, const workload::Catalog& plugins) {
    const workload::Plugin* plugin = plugin_of(workload, plugins);
    return plugin && plugin->is_trained();
}

bool is_adversarial(const WorkloadSpec& workload, const workload::Catalog& plugins) {
    const workload::Plugin* plugin = plugin_of(workload, plugins);
    return plugin && plugin->kind == workload::Plugin::Kind::adversarial;
}

std::string read_name(config::ObjectReader& reader, const std::string& default_name) {
    const std::string name = reader.string_or("name", default_name);
    if (name.empty() || name.find('/') != std::string::npos) reader.report("name", "must be a non-empty name without '/'");
    return name;
}

std::string read_output_dir(config::ObjectReader& root, const std::string& name) {
    std::string dir = "runs/" + name;
    if (auto output = root.object("output")) {
        dir = output->string_or("dir", dir);
        if (dir.empty()) output->report("dir", "must be a non-empty path");
        output->finish();
    }
    return dir;
}

// Runs `read` on the object under `key` when there is one, reporting it when required and missing.
template <class Read>
auto read_section(config::ObjectReader& root, const std::string& key, bool required, Read read)
    -> decltype(read(std::declval<config::ObjectReader&>())) {
    if (required) root.require(key);
    if (auto section = root.object(key)) return read(*section);
    return {};
}

// The "training" object, or its defaults when it is left out. A GAN trains by EASGD by default
// where the layout has masters, as the reference system did; anything else by all-reduce.
train::TrainingSettings read_training_of(config::ObjectReader& root, const Spec& spec, const workload::Catalog& plugins,
                                         const space::Space* space, config::Problems& problems) {
    const bool adversarial = is_adversarial(spec.workload, plugins);
    const auto default_algorithm = adversarial && spec.layout.masters > 0 ? train::Algorithm::easgd : train::Algorithm::allreduce;
    const auto read = [&](config::ObjectReader& reader) {
        return train::read_training(reader, spec.layout, space, default_algorithm);
    };
    train::TrainingSettings settings;
    if (root.has("training")) {
        settings = read_section(root, "training", false, read);
        if (is_evaluated_directly(spec.workload, plugins)) {
            root.report("training", "the " + spec.workload.plugin + " workload trains no model: leave \"training\" out");
        }
    } else if (adversarial) {
        const Json left_out = Json::object();
        config::ObjectReader defaults(left_out, "training", problems);
        settings = read(defaults);
    } else if (spec.layout.masters != 0 && is_trained(spec.workload, plugins)) {
        root.report("layout", "all-reduce training (the default) has no masters: set layout.masters to 0");
    }
    if (adversarial && settings.parallelism == train::Parallelism::pipeline) {
        root.report("training.parallelism", "the " + spec.workload.plugin + " workload trains two networks: no pipeline");
    }
    if (adversarial && settings.algorithm != train::Algorithm::allreduce && settings.algorithm != train::Algorithm::easgd) {
        root.report("training.algorithm", "the " + spec.workload.plugin + " workload trains two networks: allreduce or easgd");
    }
    return settings;
}

}  // namespace

std::string to_string(Direction direction) { return direction == Direction::minimize ? "minimize" : "maximize"; }

Spec parse(const Json& document, const workload::Catalog& plugins, const std::string& default_name) {
    config::Problems problems;
    config::ObjectReader root(document, "", problems);
    if (!root.valid()) throw config::InvalidConfig(problems);

    Spec spec;
    spec.document = document;
    spec.name = read_name(root, default_name);
    const auto seed = root.integer("seed");
    if (seed && *seed < 0) root.report("seed", "must be >= 0");
    spec.seed = static_cast<std::uint64_t>(seed.value_or(0));

    root.require("space");
    std::optional<space::Space> space;
    if (const Json* space_json = root.any("space")) space = read_space(*space_json, "space", problems);
    if (space) spec.space = *space;
    const space::Space* space_or_null = space ? &*space : nullptr;

    spec.optimizer = read_section(root, "optimizer", true, [&](auto& r) { return optim::read_settings(r, space_or_null); });
    spec.budget = read_section(root, "budget", true, read_budget);
    spec.objective = read_section(root, "objective", false, read_objective);
    read_objectives(root, spec.objective);
    spec.objective.constraints = read_constraints(root);
    spec.layout = read_section(root, "layout", false, read_layout);
    spec.early_stopping = read_section(root, "early_stopping", false, fidelity::read_early_stopping);
    check_several_objectives(root, spec);
    spec.workload = read_section(root, "workload", true, [&](auto& r) {
        return read_workload(r, plugins, space_or_null, document.at("workload"));
    });
    spec.training = read_training_of(root, spec, plugins, space_or_null, problems);
    spec.training.split_seed = spec.seed;
    spec.training.layout = spec.layout;
    spec.output_dir = read_output_dir(root, spec.name);
    root.finish();
    if (!problems.empty()) throw config::InvalidConfig(problems);
    if (auto* bayes = std::get_if<optim::bayes::BayesSettings>(&spec.optimizer)) {
        bayes->model_rungs = spec.early_stopping.tell_stopped == fidelity::EarlyStoppingSettings::TellStopped::rungs;
    }
    if (auto* evolution = std::get_if<optim::evolution::EvolutionSettings>(&spec.optimizer)) {
        if (spec.objective.several()) {
            optim::evolution::several_objectives_defaults(*evolution, document.at("optimizer").contains("population"));
        }
        if (evolution->generations == 0 && spec.budget.trials) {  // a population of 2 or more: checked
            evolution->generations = optim::evolution::generations_for_budget(*evolution, *spec.budget.trials);
        }
    }
    return spec;
}

Spec parse_text(const std::string& text, const workload::Catalog& plugins, const std::string& default_name) {
    Json document;
    try {
        document = config::parse_json(text);
    } catch (const config::InvalidJson& error) {
        throw config::InvalidConfig({{error.path(), error.message()}});
    }
    return parse(document, plugins, default_name);
}

Spec load(const std::string& path, const workload::Catalog& plugins) {
    std::ifstream file(path);
    if (!file) throw config::InvalidConfig({{"", "cannot read the spec file " + path}});
    std::stringstream buffer;
    buffer << file.rdbuf();
    return parse_text(buffer.str(), plugins, std::filesystem::path(path).stem().string());
}

Outline outline(const Json& document, const std::string& default_name) {
    config::Problems problems;
    config::ObjectReader root(document, "", problems);
    if (!root.valid()) throw config::InvalidConfig(problems);
    Outline outline;
    outline.name = read_name(root, default_name);
    root.require("space");
    if (const Json* space_json = root.any("space")) {
        if (auto space = read_space(*space_json, "space", problems)) outline.space = *space;
    }
    outline.budget = read_section(root, "budget", true, read_budget);
    outline.objective = read_section(root, "objective", false, read_objective);
    read_objectives(root, outline.objective);
    outline.objective.constraints = read_constraints(root);
    outline.layout = read_section(root, "layout", false, read_layout);
    if (!problems.empty()) throw config::InvalidConfig(problems);
    return outline;
}

bool Objective::feasible(const Json& figures) const {
    for (const Constraint& constraint : constraints) {
        const auto found = figures.find(constraint.figure);
        if (found == figures.end() || !found->is_number()) return false;
        const double value = found->get<double>();
        if ((constraint.min && value < *constraint.min) || (constraint.max && value > *constraint.max)) return false;
    }
    return true;
}

std::vector<std::string> Objective::unreported(const Json& figures) const {
    std::vector<std::string> missing;
    for (const Criterion& criterion : criteria) {
        if (criterion.name == Criterion::fom) continue;
        const auto found = figures.find(criterion.name);
        if (found == figures.end() || !found->is_number() || !std::isfinite(found->get<double>())) missing.push_back(criterion.name);
    }
    return missing;
}

std::vector<double> Objective::values(double fom, const Json& figures) const {
    std::vector<double> values;
    for (const Criterion& criterion : criteria) {
        values.push_back(criterion.name == Criterion::fom ? fom : figures.at(criterion.name).get<double>());
    }
    return values;
}

std::vector<double> Objective::losses(double fom, const Json& figures) const {
    std::vector<double> losses = values(fom, figures);
    for (std::size_t j = 0; j < losses.size(); ++j) {
        if (criteria[j].direction == Direction::maximize) losses[j] = -losses[j];
    }
    return losses;
}

std::string fingerprint(const Json& document) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char byte : document.dump()) {
        hash ^= byte;
        hash *= 0x100000001b3ULL;
    }
    return fmt::format("{:016x}", hash);
}

}  // namespace hpopt::spec
