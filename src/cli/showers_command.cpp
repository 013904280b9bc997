#include "cli/showers_command.hpp"

#include <fmt/format.h>

#include "hpopt/calo/shower_file.hpp"
#include "hpopt/calo/shower_simulator.hpp"
#include "cli/exit_status.hpp"

namespace hpopt::cli {

int showers_command(const ShowersOptions& options) {
    if (options.count < 1 || !(options.min_energy > 0) || !(options.min_energy <= options.max_energy)) {
        fmt::print(stderr, "hpopt showers: need --count >= 1 and 0 < --min-energy <= --max-energy\n");
        return exit_bad_input;
    }
    calo::ShowerModel model;
    model.min_energy = options.min_energy;
    model.max_energy = options.max_energy;
    // Block by block, so that memory holds one block (62.5 kB a shower) whatever the count.
    const std::int64_t block = 1000;
    calo::ShowerFileWriter writer(options.out, options.count, {25, 25, 25});
    for (std::int64_t first = 0; first < options.count; first += block) {
        writer.write(calo::simulate_showers(model, std::min(block, options.count - first), options.seed, first));
        const std::int64_t done = std::min(first + block, options.count);
        if (done < options.count) fmt::print(stderr, "showers: {}/{} written\n", done, options.count);
    }
    fmt::print("wrote {} showers, incident energies {} to {} GeV, to {}\n", options.count, options.min_energy,
               options.max_energy, options.out);
    return 0;
}

}  // namespace hpopt::cli
