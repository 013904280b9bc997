// libFuzzer target: any text as a search spec. Every input either parses or is refused with
// config::InvalidConfig (the one-line errors `hpopt run` prints); anything else escapes and
// counts as a crash, as do the sanitizers' reports. A document that parses is never nested
// deeper than config::max_json_depth (checked without recursion, to stay within the stack).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

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

// The deepest nesting of objects and arrays in `document` (a scalar is 0).
int depth_of(const hpopt::Json& document) {
    int deepest = 0;
    std::vector<std::pair<const hpopt::Json*, int>> open{{&document, 0}};
    while (!open.empty()) {
        const auto [value, depth] = open.back();
        open.pop_back();
        if (!value->is_structured()) continue;
        deepest = std::max(deepest, depth + 1);
        for (const auto& child : *value) open.emplace_back(&child, depth + 1);
    }
    return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const hpopt::spec::Spec spec = hpopt::spec::parse_text(text, plugins(), "fuzz");
        if (depth_of(spec.document) > hpopt::config::max_json_depth) std::abort();
        (void)hpopt::spec::fingerprint(spec.document);
    } catch (const hpopt::config::InvalidConfig&) {
    }
    return 0;
}
