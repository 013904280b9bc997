#include <algorithm>

#include "hpopt/workload/plugin.hpp"

namespace hpopt::workload {

void Registry::add(Plugin plugin) {
    if (find(plugin.name)) throw std::invalid_argument("workload plugin " + plugin.name + " registered twice");
    plugins_.push_back(std::move(plugin));
}

const Plugin* Registry::find(const std::string& name) const {
    const auto found = std::find_if(plugins_.begin(), plugins_.end(), [&](const Plugin& p) { return p.name == name; });
    return found == plugins_.end() ? nullptr : &*found;
}

std::vector<std::string> Registry::names() const {
    std::vector<std::string> names;
    for (const auto& plugin : plugins_) names.push_back(plugin.name);
    return names;
}

}  // namespace hpopt::workload
