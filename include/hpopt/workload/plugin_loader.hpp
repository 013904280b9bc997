#pragma once
// Finds workload plugins as shared modules named hpopt_<name>.so, in order: the directories of
// HPOPT_PLUGIN_PATH (separated by ':'), the build tree's plugins/ and the install directory.
// A module is loaded once, when first asked for, and stays loaded.
#include <filesystem>
#include <map>
#include <mutex>

#include "hpopt/workload/plugin.hpp"

namespace hpopt::workload {

class PluginLoader : public Catalog {
public:
    PluginLoader();  // the search path from HPOPT_PLUGIN_PATH and the built-in directories
    explicit PluginLoader(std::vector<std::filesystem::path> search_path);

    const Plugin* find(const std::string& name) const override;
    std::vector<std::string> names() const override;
    std::string where() const override;

    static std::string file_name(const std::string& plugin_name) { return "hpopt_" + plugin_name + ".so"; }

private:
    const Plugin& load(const std::string& name, const std::filesystem::path& file) const;

    std::vector<std::filesystem::path> search_path_;
    mutable std::map<std::string, Plugin> loaded_;
    mutable std::mutex mutex_;
};

}  // namespace hpopt::workload
