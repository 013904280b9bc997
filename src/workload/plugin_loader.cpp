#include "hpopt/workload/plugin_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "hpopt/plugin_dirs.hpp"

namespace hpopt::workload {
namespace fs = std::filesystem;
namespace {

std::vector<fs::path> default_search_path() {
    std::vector<fs::path> path;
    if (const char* variable = std::getenv("HPOPT_PLUGIN_PATH")) {
        std::istringstream dirs(variable);
        for (std::string dir; std::getline(dirs, dir, ':');) {
            if (!dir.empty()) path.emplace_back(dir);
        }
    }
    path.emplace_back(build_plugin_dir);
    path.emplace_back(installed_plugin_dir);
    return path;
}

template <typename Function>
Function symbol(void* module, const char* name, const fs::path& file) {
    void* address = dlsym(module, name);
    if (!address) throw PluginError(fmt::format("{} is not an hpopt plugin: it has no {}()", file.string(), name));
    return reinterpret_cast<Function>(address);
}

}  // namespace

PluginLoader::PluginLoader() : PluginLoader(default_search_path()) {}

PluginLoader::PluginLoader(std::vector<fs::path> search_path) : search_path_(std::move(search_path)) {}

const Plugin* PluginLoader::find(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    if (const auto found = loaded_.find(name); found != loaded_.end()) return &found->second;
    for (const fs::path& dir : search_path_) {
        const fs::path file = dir / file_name(name);
        std::error_code error;
        if (fs::is_regular_file(file, error)) return &load(name, file);
    }
    return nullptr;
}

const Plugin& PluginLoader::load(const std::string& name, const fs::path& file) const {
    // Never closed: the plugin's code runs until the process ends.
    void* module = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) throw PluginError(fmt::format("cannot load {}: {}", file.string(), dlerror()));
    const std::string abi = symbol<const char* (*)()>(module, "hpopt_plugin_abi", file)();
    if (abi != HPOPT_PLUGIN_ABI) {
        throw PluginError(fmt::format("{} was built for another plugin interface (\"{}\"; this hpopt has \"{}\"): rebuild it "
                                      "against this hpopt's headers",
                                      file.string(), abi, HPOPT_PLUGIN_ABI));
    }
    Plugin plugin;
    symbol<void (*)(Plugin&)>(module, "hpopt_plugin_describe", file)(plugin);
    if (plugin.name != name) {
        throw PluginError(fmt::format("{} describes a plugin named \"{}\", not \"{}\"", file.string(), plugin.name, name));
    }
    if (!plugin.check || !plugin.create) {
        throw PluginError(fmt::format("{}: a plugin needs check() and create()", file.string()));
    }
    return loaded_.emplace(name, std::move(plugin)).first->second;
}

std::vector<std::string> PluginLoader::names() const {
    std::set<std::string> names;
    for (const fs::path& dir : search_path_) {
        std::error_code error;
        for (fs::directory_iterator entry(dir, error), end; !error && entry != end; entry.increment(error)) {
            const std::string file = entry->path().filename().string();
            if (file.size() > 9 && file.rfind("hpopt_", 0) == 0 && file.compare(file.size() - 3, 3, ".so") == 0) {
                names.insert(file.substr(6, file.size() - 9));
            }
        }
    }
    return {names.begin(), names.end()};
}

std::string PluginLoader::where() const {
    std::vector<std::string> dirs;
    for (const fs::path& dir : search_path_) dirs.push_back(dir.string());
    return fmt::format("{}", fmt::join(dirs, ", "));
}

}  // namespace hpopt::workload
