#pragma once
// What a model author implements: given typed hyper-parameters, train and evaluate, and
// return the figure of merit (FoM). The framework owns the search, the distribution and the
// bookkeeping; a workload only computes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <stdexcept>
#include <string>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::workload {

struct TrialContext {
    std::int64_t trial_id = 0;
    std::uint64_t seed = 0;  // every random choice of the trial draws from it
    int fold = 0;            // this evaluation's fold of k-fold cross-validation
    int folds = 1;
    // When the trial's time is up (budget.trial_timeout_s). A workload checks it between steps
    // (past_deadline()) and stops by throwing; one that returns late fails all the same.
    std::optional<std::chrono::steady_clock::time_point> deadline;

    bool past_deadline() const { return deadline && std::chrono::steady_clock::now() >= *deadline; }
};

// Thrown by a workload to fail a trial with a reason; any other exception fails it too.
class TrialFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Workload {
public:
    virtual ~Workload() = default;
    // What the FoM measures, for people: "branin", "validation accuracy".
    virtual std::string fom_name() const = 0;
    virtual double evaluate(const space::Params& params, const TrialContext& context) = 0;
};

// A kind of workload, as the spec's "workload": {"plugin": name, options...} selects it.
struct Plugin {
    std::string name;
    // Reads the options of the spec's "workload" object, reporting problems to the reader.
    // `space` is null when the spec's space is itself invalid.
    std::function<void(config::ObjectReader& options, const space::Space* space)> check;
    // Builds a workload from options that passed check().
    std::function<std::unique_ptr<Workload>(const Json& options, const space::Space& space)> create;
};

class Registry {
public:
    void add(Plugin plugin);
    const Plugin* find(const std::string& name) const;
    std::vector<std::string> names() const;

private:
    std::vector<Plugin> plugins_;
};

}  // namespace hpopt::workload
