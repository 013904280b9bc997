#pragma once
// The search spec: one JSON file that says what to search, how, for how long, with which
// workload and where the results go. parse() checks the whole document and reports every
// problem with its JSON path (config::InvalidConfig), or returns plain structs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/fidelity/early_stopping.hpp"
#include "hpopt/optim/settings.hpp"
#include "hpopt/space/space.hpp"
#include "hpopt/spec/layout.hpp"
#include "hpopt/train/training_settings.hpp"
#include "hpopt/workload/plugin.hpp"

namespace hpopt::spec {

enum class Direction { minimize, maximize };

// A figure a trial must report within bounds to count (a model small enough, fast enough).
struct Constraint {
    std::string figure;  // a name among the figures the workload reports beside the FoM
    std::optional<double> min, max;
};

// One of several objectives: a figure the workload reports, or (named "fom") the trial's FoM.
struct Criterion {
    static constexpr const char* fom = "fom";
    std::string name;
    Direction direction = Direction::minimize;
};

struct Objective {
    Direction direction = Direction::minimize;  // the FoM's
    std::vector<Criterion> criteria;      // the spec's "objectives": none when the FoM is the one objective
    std::vector<Constraint> constraints;  // the spec's "constraints"

    bool several() const { return !criteria.empty(); }

    // The figure of merit turned into a loss for the optimizers, which minimize.
    double loss(double fom) const { return direction == Direction::minimize ? fom : -fom; }
    bool better(double fom, double than) const { return loss(fom) < loss(than); }
    bool reached(double fom, double target) const { return loss(fom) <= loss(target); }
    // Whether a trial that reported `figures` meets every constraint: each figure reported, a
    // number, within its bounds.
    bool feasible(const Json& figures) const;
    // The objectives a trial that reported `figures` left out (or reported as anything but a
    // finite number): its result cannot be placed among the others.
    std::vector<std::string> unreported(const Json& figures) const;
    // Each objective's value (all reported), and as a loss (negated when maximized).
    std::vector<double> values(double fom, const Json& figures) const;
    std::vector<double> losses(double fom, const Json& figures) const;
};

std::string to_string(Direction direction);

struct Budget {
    std::optional<std::int64_t> trials;
    // Epochs trained across trials (each epoch every fold of a trial reported counts once; a
    // trial that reports none counts as one): with early stopping, trials differ in cost.
    std::optional<std::int64_t> epochs;
    std::optional<double> target;       // stop once a trial's FoM is this good
    std::optional<double> wall_time_s;  // then interrupt the search, as a stop signal would
    std::optional<double> trial_timeout_s;  // a trial still running after this long fails
    // An interrupted search waits this long for its trials to stop; a group whose trial is
    // this long past its deadline is hung.
    double grace_s = 30;
    // A group that sends nothing (no result, no epoch, no heartbeat) for this long while it runs
    // a trial is hung.
    double silence_limit_s = 600;
    std::int64_t max_retries = 0;  // runs again of a trial whose failure may be transient
};

struct WorkloadSpec {
    std::string plugin;
    Json options;  // the whole "workload" object, checked by the plugin
};

struct Spec {
    std::string name;
    std::uint64_t seed = 0;
    space::Space space{{}};
    optim::Settings optimizer;
    Budget budget;
    Objective objective;
    Layout layout;
    fidelity::EarlyStoppingSettings early_stopping;
    WorkloadSpec workload;
    train::TrainingSettings training;  // for a plugin whose models the framework trains
    std::string output_dir;
    Json document;  // the spec as the user wrote it
};

// `default_name` names a spec that has no "name" (the file's stem, for example).
Spec parse(const Json& document, const workload::Catalog& plugins, const std::string& default_name);

// Parses a spec's text. Text that is not JSON is an InvalidConfig too, with the line and
// column of the syntax error.
Spec parse_text(const std::string& text, const workload::Catalog& plugins, const std::string& default_name);

// Reads and parses a spec file (one that cannot be read is an InvalidConfig).
Spec load(const std::string& path, const workload::Catalog& plugins);

// The parts of a spec that its results are read with, without loading any plugin: for the
// commands that look at a run (`hpopt status`, `report`, `export`). Throws InvalidConfig.
struct Outline {
    std::string name;
    space::Space space{{}};
    Objective objective;
    Layout layout;
    Budget budget;
};
Outline outline(const Json& document, const std::string& default_name);

// A fingerprint of the document (FNV-1a, 64 bits, in hex), recorded in the journal so that
// a run dir can be matched with the spec that made it.
std::string fingerprint(const Json& document);

}  // namespace hpopt::spec
