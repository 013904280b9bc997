#pragma once
// A direct workload's Plugin from how its options are read and how the workload is made of them:
// check() reads the options to report their problems; create() reads them again (throwing
// config::InvalidConfig for problems, which check() reported when the spec was read) and makes
// the workload.
#include <memory>
#include <string>
#include <utility>

#include "hpopt/config/problems.hpp"
#include "hpopt/workload/plugin.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::workload {

// `read_options(reader, space)` returns the options (space may be null in check());
// `make(options)` returns the workload as a std::unique_ptr of a Workload.
template <class ReadOptions, class Make>
Plugin direct_plugin(std::string name, ReadOptions read_options, Make make) {
    Plugin plugin;
    plugin.name = std::move(name);
    plugin.check = [read_options](config::ObjectReader& reader, const space::Space* space) { read_options(reader, space); };
    plugin.create = [read_options, make](const Json& json, const space::Space& space,
                                         const train::TrainingSettings&) -> std::unique_ptr<Workload> {
        config::Problems problems;
        config::ObjectReader reader(json, "workload", problems);
        reader.string("plugin");
        auto options = read_options(reader, &space);
        reader.finish();
        if (!problems.empty()) throw config::InvalidConfig(problems);
        return make(std::move(options));
    };
    return plugin;
}

}  // namespace hpopt::workload
