#include "hpopt/optim/individual.hpp"

#include <cmath>

#include "hpopt/pareto/front.hpp"

namespace hpopt::optim {
namespace {

constexpr double failed_loss = std::numeric_limits<double>::infinity();

}  // namespace

bool fitter(const Individual& a, const Individual& b) {
    if (a.epochs != b.epochs) return a.epochs > b.epochs;
    return a.loss < b.loss;
}

void rank_by_objectives(std::vector<Individual>& population) {
    std::vector<std::size_t> ranked;
    std::vector<pareto::Losses> losses;
    for (std::size_t i = 0; i < population.size(); ++i) {
        if (population[i].losses.empty()) continue;
        ranked.push_back(i);
        losses.push_back(population[i].losses);
    }
    const std::vector<std::size_t> order = pareto::nsga2_order(losses);
    for (std::size_t place = 0; place < order.size(); ++place) population[ranked[order[place]]].loss = static_cast<double>(place);
}

Individual individual_of(const Evaluation& evaluation) {
    if (!evaluation.loss || !std::isfinite(*evaluation.loss)) return {evaluation.point, failed_loss, 0};
    return {evaluation.point, *evaluation.loss, evaluation.stopped_epoch.value_or(Individual::trained_to_the_end), evaluation.losses};
}

Json individual_to_json(const Individual& individual) {
    Json json = {{"point", individual.point}, {"loss", config::number_to_json(individual.loss)}, {"epochs", individual.epochs}};
    if (!individual.losses.empty()) json["losses"] = individual.losses;
    return json;
}

Individual individual_from_json(const Json& json) {
    const Json& loss = json.at("loss");
    return {json.at("point").get<space::Point>(), loss.is_null() ? failed_loss : loss.get<double>(),
            json.at("epochs").get<std::int64_t>(), json.value("losses", std::vector<double>{})};
}

}  // namespace hpopt::optim
