#include "hpopt/train/pipeline_plan.hpp"

#include <algorithm>
#include <numeric>

#include <doctest/doctest.h>

using namespace hpopt::train;

namespace {

std::int64_t largest_stage(const std::vector<std::int64_t>& layers, const std::vector<std::int64_t>& parameters) {
    std::int64_t largest = 0;
    auto layer = parameters.begin();
    for (const std::int64_t count : layers) {
        largest = std::max(largest, std::accumulate(layer, layer + count, std::int64_t{0}));
        layer += count;
    }
    return largest;
}

}  // namespace

TEST_CASE("balanced stages: the largest stage as small as it can be, activations with the layer before them") {
    // Flatten, Linear, ReLU, Linear, ReLU, Linear: the flatten joins the first stage.
    const std::vector<std::int64_t> mlp = {0, 100, 0, 100, 0, 100};
    CHECK(balanced_stages(mlp, 1) == std::vector<std::int64_t>{6});
    CHECK(balanced_stages(mlp, 2) == std::vector<std::int64_t>{3, 3});  // 200 | 100 or 100 | 200: the first found
    CHECK(largest_stage(balanced_stages(mlp, 2), mlp) == 200);
    CHECK(balanced_stages(mlp, 3) == std::vector<std::int64_t>{3, 2, 1});
    // One heavy layer in the middle: a stage of its own.
    const std::vector<std::int64_t> heavy = {10, 0, 10, 1000, 0, 10, 10};
    const auto split = balanced_stages(heavy, 3);
    CHECK(largest_stage(split, heavy) == 1000);
    CHECK(std::accumulate(split.begin(), split.end(), std::int64_t{0}) == 7);
    // Against every split by brute force: no better one.
    const std::vector<std::int64_t> uneven = {5, 0, 9, 2, 0, 7, 1, 8, 0, 3};
    for (int stages = 1; stages <= 4; ++stages) {
        const auto layers = balanced_stages(uneven, stages);
        CHECK(layers.size() == static_cast<std::size_t>(stages));
        CHECK_NOTHROW(check_stages(layers, uneven));
        std::int64_t best = std::numeric_limits<std::int64_t>::max();
        // Cuts before the layers with parameters (1..9), choose stages - 1 of them.
        std::vector<int> cuts;
        for (int i = 1; i < static_cast<int>(uneven.size()); ++i) {
            if (uneven[static_cast<std::size_t>(i)] > 0) cuts.push_back(i);
        }
        std::vector<bool> chosen(cuts.size(), false);
        std::fill(chosen.begin(), chosen.begin() + stages - 1, true);
        do {
            std::vector<std::int64_t> counts;
            int last = 0;
            for (std::size_t c = 0; c < cuts.size(); ++c) {
                if (!chosen[c]) continue;
                counts.push_back(cuts[c] - last);
                last = cuts[c];
            }
            counts.push_back(static_cast<std::int64_t>(uneven.size()) - last);
            best = std::min(best, largest_stage(counts, uneven));
        } while (std::prev_permutation(chosen.begin(), chosen.end()));
        CHECK(largest_stage(layers, uneven) == best);
    }
}

TEST_CASE("stages: too few layers with parameters, and a listed split checked against the model") {
    CHECK_THROWS_WITH_AS(balanced_stages({0, 10, 0, 10}, 3), "the model has 2 layer(s) with parameters: too few for 3 pipeline stages",
                         std::invalid_argument);
    CHECK_NOTHROW(check_stages({2, 2}, {0, 10, 0, 10}));
    CHECK_THROWS_WITH_AS(check_stages({2, 1}, {0, 10, 0, 10}), "training.stages lists 3 layers; the model has 4", std::invalid_argument);
    CHECK_THROWS_WITH_AS(check_stages({1, 3}, {0, 10, 0, 10}), "training.stages: stage 0 holds no parameter", std::invalid_argument);
}

TEST_CASE("pass order: GPipe runs every forward pass first; 1F1B keeps at most the stages after it in flight") {
    using D = Pass::Direction;
    CHECK(pass_order(PipelineSchedule::gpipe, 0, 2, 3) ==
          std::vector<Pass>{{D::forward, 0}, {D::forward, 1}, {D::forward, 2}, {D::backward, 0}, {D::backward, 1}, {D::backward, 2}});
    // The last stage alternates at once; the first warms up with stages - 1 forward passes.
    CHECK(pass_order(PipelineSchedule::one_f_one_b, 2, 3, 3) ==
          std::vector<Pass>{{D::forward, 0}, {D::backward, 0}, {D::forward, 1}, {D::backward, 1}, {D::forward, 2}, {D::backward, 2}});
    CHECK(pass_order(PipelineSchedule::one_f_one_b, 0, 3, 4) ==
          std::vector<Pass>{{D::forward, 0}, {D::forward, 1}, {D::forward, 2}, {D::backward, 0}, {D::forward, 3}, {D::backward, 1},
                            {D::backward, 2}, {D::backward, 3}});
    for (const auto schedule : {PipelineSchedule::gpipe, PipelineSchedule::one_f_one_b}) {
        for (int stage = 0; stage < 4; ++stage) {
            for (std::int64_t micro_batches = 1; micro_batches <= 6; ++micro_batches) {
                const auto order = pass_order(schedule, stage, 4, micro_batches);
                CHECK(order.size() == static_cast<std::size_t>(2 * micro_batches));
                std::int64_t forwards = 0, backwards = 0, most_in_flight = 0;
                for (const Pass& pass : order) {
                    if (pass.direction == D::forward) {
                        CHECK(pass.micro_batch == forwards++);
                    } else {
                        CHECK(pass.micro_batch == backwards++);
                        CHECK(backwards <= forwards);
                    }
                    most_in_flight = std::max(most_in_flight, forwards - backwards);
                }
                const std::int64_t bound = schedule == PipelineSchedule::gpipe ? micro_batches : std::min<std::int64_t>(micro_batches, 4 - stage);
                CHECK(most_in_flight == bound);
            }
        }
    }
}
