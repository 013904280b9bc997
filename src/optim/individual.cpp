#include "hpopt/optim/individual.hpp"

#include <cmath>

namespace hpopt::optim {
namespace {

constexpr double failed_loss = std::numeric_limits<double>::infinity();

}  // namespace

bool fitter(const Individual& a, const Individual& b) {
    if (a.epochs != b.epochs) return a.epochs > b.epochs;
    return a.loss < b.loss;
}

Individual individual_of(const Evaluation& evaluation) {
    if (!evaluation.loss || !std::isfinite(*evaluation.loss)) return {evaluation.point, failed_loss, 0};
    return {evaluation.point, *evaluation.loss, evaluation.stopped_epoch.value_or(Individual::trained_to_the_end)};
}

Json individual_to_json(const Individual& individual) {
    return {{"point", individual.point}, {"loss", config::number_to_json(individual.loss)}, {"epochs", individual.epochs}};
}

Individual individual_from_json(const Json& json) {
    const Json& loss = json.at("loss");
    return {json.at("point").get<space::Point>(), loss.is_null() ? failed_loss : loss.get<double>(),
            json.at("epochs").get<std::int64_t>()};
}

}  // namespace hpopt::optim
