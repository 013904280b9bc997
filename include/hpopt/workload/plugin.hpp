#pragma once
// Workload plugins: what a spec's "workload": {"plugin": name, options...} selects. A plugin is
// a shared module (see PluginLoader and docs/workloads.md) that describes itself with a Plugin;
// tests put Plugins in a Registry directly.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/space/space.hpp"
#include "hpopt/train/training_settings.hpp"

namespace hpopt::workload {

class Workload;

struct Plugin {
    // Whether the plugin's workload evaluates a trial itself (direct), or the framework trains its
    // models as the spec's "training" says: a model (train/model_workload.hpp) or a generative
    // adversarial pair (train/adversarial_workload.hpp). A plugin of those kinds links the
    // training library and is made with train::model_plugin or train::adversarial_plugin, so that
    // the hpopt executable itself never loads torch.
    enum class Kind { direct, model, adversarial };

    std::string name;
    Kind kind = Kind::direct;
    // Reads the options of the spec's "workload" object, reporting problems to the reader.
    // `space` is null when the spec's space is itself invalid.
    std::function<void(config::ObjectReader& options, const space::Space* space)> check;
    // The workload, for options that passed check(); `training` is the spec's "training" object,
    // which a direct workload ignores.
    std::function<std::unique_ptr<Workload>(const Json& options, const space::Space& space,
                                            const train::TrainingSettings& training)>
        create;

    bool is_trained() const { return kind != Kind::direct; }
};

// Where a spec finds its plugin by name.
class Catalog {
public:
    virtual ~Catalog() = default;
    // Null when there is no such plugin; throws PluginError when there is one that cannot be used.
    virtual const Plugin* find(const std::string& name) const = 0;
    virtual std::vector<std::string> names() const = 0;
    // Where plugins were looked for, for messages: "" when that is not a place.
    virtual std::string where() const { return ""; }
};

class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Plugins known in advance, in memory.
class Registry : public Catalog {
public:
    void add(Plugin plugin);
    const Plugin* find(const std::string& name) const override;
    std::vector<std::string> names() const override;

private:
    std::vector<Plugin> plugins_;
};

// The interface version changes whenever the Plugin, Workload or ModelWorkload types change; a
// plugin built against other headers (or by a compiler with another C++ ABI) is refused.
#define HPOPT_PLUGIN_INTERFACE_VERSION 5
#define HPOPT_PLUGIN_STRINGIFY2(x) #x
#define HPOPT_PLUGIN_STRINGIFY(x) HPOPT_PLUGIN_STRINGIFY2(x)
#define HPOPT_PLUGIN_ABI \
    "hpopt-plugin-" HPOPT_PLUGIN_STRINGIFY(HPOPT_PLUGIN_INTERFACE_VERSION) " gxx-abi-" HPOPT_PLUGIN_STRINGIFY(__GXX_ABI_VERSION)

}  // namespace hpopt::workload

// In the one source file of a plugin module that defines it: HPOPT_PLUGIN(function returning a Plugin).
#define HPOPT_PLUGIN(describe)                                                                 \
    extern "C" const char* hpopt_plugin_abi() { return HPOPT_PLUGIN_ABI; }                     \
    extern "C" void hpopt_plugin_describe(::hpopt::workload::Plugin& plugin) { plugin = describe(); }
