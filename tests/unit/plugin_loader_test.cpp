#include <doctest/doctest.h>

#include "hpopt/workload/plugin_loader.hpp"
#include "hpopt/workload/workload.hpp"
#include "hpopt/plugin_dirs.hpp"

#include <algorithm>

using namespace hpopt;
using workload::PluginLoader;

namespace {

// The build's plugins/ (the analytic plugin) and tests/plugins/ (broken ones).
PluginLoader loader() { return PluginLoader({TEST_PLUGIN_DIR, workload::build_plugin_dir}); }

std::string error_of(const std::string& name) {
    try {
        loader().find(name);
    } catch (const workload::PluginError& error) {
        return error.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a plugin is loaded by name from its shared module and creates its workload") {
    const PluginLoader plugins = loader();
    const workload::Plugin* analytic = plugins.find("analytic");
    REQUIRE(analytic);
    CHECK(analytic->name == "analytic");
    CHECK(plugins.find("analytic") == analytic);  // loaded once
    const space::Space space({{"x1", space::RealRange{-5, 10, false}}, {"x2", space::RealRange{0, 15, false}}});
    const auto workload = analytic->create(Json{{"plugin", "analytic"}, {"function", "branin"}}, space, train::TrainingSettings{});
    CHECK(workload->evaluate(Json{{"x1", 3.14159265}, {"x2", 2.275}}, {}) == doctest::Approx(0.397887).epsilon(1e-5));
}

TEST_CASE("a missing plugin is not found, and the loader says where it looked") {
    const PluginLoader plugins = loader();
    CHECK(plugins.find("no_such_plugin") == nullptr);
    CHECK(plugins.where().find(TEST_PLUGIN_DIR) != std::string::npos);
    const auto names = plugins.names();
    CHECK(std::find(names.begin(), names.end(), "analytic") != names.end());
}

TEST_CASE("a plugin built for another interface is refused with the reason") {
    const std::string error = error_of("wrong_abi");
    CHECK(error.find("hpopt_wrong_abi.so was built for another plugin interface") != std::string::npos);
    CHECK(error.find("rebuild it") != std::string::npos);
}

TEST_CASE("a shared module that is no plugin, or names another plugin, is refused") {
    CHECK(error_of("not_a_plugin").find("is not an hpopt plugin: it has no hpopt_plugin_abi()") != std::string::npos);
    CHECK(error_of("misnamed").find("describes a plugin named \"other_name\", not \"misnamed\"") != std::string::npos);
}
