// libFuzzer target: any text as a search spec. Every input either parses or is refused with
// config::InvalidConfig (the one-line errors `hpopt run` prints); anything else escapes and
// counts as a crash, as do the sanitizers' reports.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analytic_plugin.hpp"
#include "hpopt/config/problems.hpp"
#include "hpopt/spec/spec.hpp"

namespace {

const hpopt::workload::Registry& plugins() {
    static const hpopt::workload::Registry registry = [] {
        hpopt::workload::Registry r;
        r.add(hpopt::analytic::plugin());
        return r;
    }();
    return registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const hpopt::spec::Spec spec = hpopt::spec::parse_text(text, plugins(), "fuzz");
        (void)hpopt::spec::fingerprint(spec.document);
    } catch (const hpopt::config::InvalidConfig&) {
    }
    return 0;
}
