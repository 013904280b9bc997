#include "hpopt/train/pipeline_plan.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace hpopt::train {
namespace {

// The layers' parameters grouped into blocks, each a layer with parameters and the layers without
// that follow it (the first block also takes those before it): the units a stage is made of.
struct Blocks {
    std::vector<std::int64_t> layers;      // per block
    std::vector<std::int64_t> parameters;  // per block
};

Blocks blocks_of(const std::vector<std::int64_t>& layer_parameters) {
    Blocks blocks;
    for (const std::int64_t parameters : layer_parameters) {
        if (parameters > 0 || blocks.layers.empty()) {
            blocks.layers.push_back(0);
            blocks.parameters.push_back(0);
        }
        ++blocks.layers.back();
        blocks.parameters.back() += parameters;
    }
    // Leading layers without parameters, counted as a block of their own: join the next one.
    if (blocks.parameters.size() > 1 && blocks.parameters.front() == 0) {
        blocks.layers[1] += blocks.layers[0];
        blocks.layers.erase(blocks.layers.begin());
        blocks.parameters.erase(blocks.parameters.begin());
    }
    return blocks;
}

}  // namespace

// Linear partition by dynamic programming: largest[k][i] is the least possible largest stage
// when the first i blocks make k stages.
std::vector<std::int64_t> balanced_stages(const std::vector<std::int64_t>& layer_parameters, int stages) {
    const Blocks blocks = blocks_of(layer_parameters);
    const auto count = static_cast<std::int64_t>(std::count_if(blocks.parameters.begin(), blocks.parameters.end(),
                                                               [](std::int64_t p) { return p > 0; }));
    if (stages < 1 || count < stages) {
        throw std::invalid_argument(
            fmt::format("the model has {} layer(s) with parameters: too few for {} pipeline stages", count, stages));
    }
    const auto n = static_cast<std::int64_t>(blocks.parameters.size());
    std::vector<std::int64_t> prefix(static_cast<std::size_t>(n) + 1, 0);
    std::partial_sum(blocks.parameters.begin(), blocks.parameters.end(), prefix.begin() + 1);
    constexpr std::int64_t none = std::numeric_limits<std::int64_t>::max();
    const auto cell = [&](int k, std::int64_t i) { return static_cast<std::size_t>(k) * static_cast<std::size_t>(n + 1) + static_cast<std::size_t>(i); };
    std::vector<std::int64_t> largest(cell(stages, n) + 1, none), cut(largest.size(), 0);
    largest[cell(0, 0)] = 0;
    for (int k = 1; k <= stages; ++k) {
        for (std::int64_t i = k; i <= n; ++i) {
            for (std::int64_t j = k - 1; j < i; ++j) {
                if (largest[cell(k - 1, j)] == none) continue;
                const std::int64_t worst = std::max(largest[cell(k - 1, j)], prefix[static_cast<std::size_t>(i)] - prefix[static_cast<std::size_t>(j)]);
                if (worst < largest[cell(k, i)]) {
                    largest[cell(k, i)] = worst;
                    cut[cell(k, i)] = j;
                }
            }
        }
    }
    std::vector<std::int64_t> layers(static_cast<std::size_t>(stages), 0);
    for (std::int64_t k = stages, i = n; k > 0; --k) {
        const std::int64_t j = cut[cell(static_cast<int>(k), i)];
        for (std::int64_t b = j; b < i; ++b) layers[static_cast<std::size_t>(k - 1)] += blocks.layers[static_cast<std::size_t>(b)];
        i = j;
    }
    return layers;
}

void check_stages(const std::vector<std::int64_t>& stage_layers, const std::vector<std::int64_t>& layer_parameters) {
    const std::int64_t listed = std::accumulate(stage_layers.begin(), stage_layers.end(), std::int64_t{0});
    if (listed != static_cast<std::int64_t>(layer_parameters.size())) {
        throw std::invalid_argument(
            fmt::format("training.stages lists {} layers; the model has {}", listed, layer_parameters.size()));
    }
    auto layer = layer_parameters.begin();
    for (std::size_t stage = 0; stage < stage_layers.size(); ++stage) {
        const auto end = layer + stage_layers[stage];
        if (std::accumulate(layer, end, std::int64_t{0}) == 0) {
            throw std::invalid_argument(fmt::format("training.stages: stage {} holds no parameter", stage));
        }
        layer = end;
    }
}

std::vector<Pass> pass_order(PipelineSchedule schedule, int stage, int stages, std::int64_t micro_batches) {
    const std::int64_t warm_up = schedule == PipelineSchedule::gpipe ? micro_batches
                                                                     : std::min<std::int64_t>(stages - 1 - stage, micro_batches);
    std::vector<Pass> order;
    std::int64_t forwards = 0, backwards = 0;
    while (forwards < warm_up) order.push_back({Pass::Direction::forward, forwards++});
    while (forwards < micro_batches) {
        order.push_back({Pass::Direction::forward, forwards++});
        order.push_back({Pass::Direction::backward, backwards++});
    }
    while (backwards < micro_batches) order.push_back({Pass::Direction::backward, backwards++});
    return order;
}

}  // namespace hpopt::train
