#include "showers_command.hpp"

#include <fmt/format.h>

#include "hpopt/calo/shower_file.hpp"
#include "hpopt/calo/shower_simulator.hpp"
#include "run_command.hpp"

namespace hpopt::cli {

int showers_command(const ShowersOptions& options) {
    if (options.count < 1 || !(options.min_energy > 0) || !(options.min_energy <= options.max_energy)) {
        fmt::print(stderr, "hpopt showers: need --count >= 1 and 0 < --min-energy <= --max-energy\n");
        return exit_bad_input;
    }
    calo::ShowerModel model;
    model.min_energy = options.min_energy;
    model.max_energy = options.max_energy;
    const std::int64_t every = std::max<std::int64_t>(100, options.count / 10 / 100 * 100);
    const calo::Showers showers = calo::simulate_showers(model, options.count, options.seed, [&](std::int64_t done) {
        if (done % every == 0 && done < options.count) fmt::print(stderr, "showers: {}/{} simulated\n", done, options.count);
    });
    calo::write_showers(options.out, showers);
    fmt::print("wrote {} showers, incident energies {} to {} GeV, to {}\n", options.count, options.min_energy,
               options.max_energy, options.out);
    return 0;
}

}  // namespace hpopt::cli
