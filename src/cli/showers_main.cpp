// hpopt-showers: simulated calorimeter showers into a CLIC-format HDF5 file; `hpopt showers`
// runs it, so that the hpopt executable itself never loads HDF5.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/exit_status.hpp"
#include "cli/showers_command.hpp"

int main(int argc, char** argv) {
    CLI::App app{"hpopt showers: simulate calorimeter showers into a CLIC-format HDF5 file"};
    hpopt::cli::ShowersOptions options;
    app.add_option("--count", options.count, "How many showers")->required();
    app.add_option("--out", options.out, "The HDF5 file to write")->required();
    app.add_option("--seed", options.seed, "The same seed gives the same showers")->capture_default_str();
    app.add_option("--min-energy", options.min_energy, "The lowest incident energy, GeV")->capture_default_str();
    app.add_option("--max-energy", options.max_energy, "The highest incident energy, GeV")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int status = app.exit(error);
        return status == 0 ? 0 : hpopt::cli::exit_bad_input;
    }
    try {
        return hpopt::cli::showers_command(options);
    } catch (const std::exception& error) {
        fmt::print(stderr, "hpopt showers: {}\n", error.what());
        return hpopt::cli::exit_failure;
    }
}
