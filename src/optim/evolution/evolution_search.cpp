#include "hpopt/optim/evolution/evolution_search.hpp"

#include <algorithm>

namespace hpopt::optim::evolution {
namespace {

constexpr int default_generations = 30;  // without a trial budget to derive them from

}  // namespace

Json EvolutionSearch::members_to_json(const std::vector<Member>& members) {
    Json json = Json::array();
    for (const auto& m : members) json.push_back({{"point", m.point}, {"told", m.told ? individual_to_json(*m.told) : Json(nullptr)}});
    return json;
}

std::vector<EvolutionSearch::Member> EvolutionSearch::members_from_json(const Json& json) {
    std::vector<Member> members;
    for (const auto& m : json) {
        const Json& told = m.at("told");
        members.push_back({m.at("point").get<Point>(), told.is_null() ? std::nullopt : std::optional(individual_from_json(told))});
    }
    return members;
}

EvolutionSearch::EvolutionSearch(space::Space space, EvolutionSettings settings, std::uint64_t seed)
    : space_(std::move(space)),
      settings_(settings),
      mode_(settings.mode.value_or(Mode::generational)),
      category_counts_(categorical_sizes(space_)),
      rng_(seed),
      initial_design_(space_.size(), true, random::derive_seed(seed, 1)) {}

double EvolutionSearch::generation() const {
    if (mode_ == Mode::generational) return generation_;
    // Children evaluated past the initial population, over the children of a generation.
    const auto population = static_cast<std::size_t>(settings_.population);
    const std::size_t children = population - elite_count(population, settings_.elite_fraction);
    return static_cast<double>(told_ - std::min(told_, population)) / static_cast<double>(children);
}

double EvolutionSearch::progress() const {
    const int horizon = settings_.generations > 0 ? settings_.generations : default_generations;
    return std::min(1.0, generation() / horizon);
}

Point EvolutionSearch::initial_point() {
    if (settings_.sobol_initial) return initial_design_.next();
    Point point(space_.size());
    for (double& u : point) u = rng_.uniform();
    return point;
}

std::optional<Point> EvolutionSearch::new_point(bool initial) {
    return history_.next_new(space_, [&] {
        return initial ? initial_point() : breed(population_, category_counts_, progress(), settings_, rng_);
    });
}

std::optional<Point> EvolutionSearch::ask(const std::vector<Point>&) {
    return mode_ == Mode::generational ? ask_generational() : ask_steady_state();
}

std::optional<Point> EvolutionSearch::ask_generational() {
    if (handed_out_ == brood_.size()) {
        const bool all_back = std::all_of(brood_.begin(), brood_.end(), [](const Member& m) { return m.told.has_value(); });
        if (!all_back) return ask_extra();  // the next generation needs every result of this one
        close_generation();
    }
    if (handed_out_ == brood_.size()) return std::nullopt;  // no new point could be bred
    return brood_[handed_out_++].point;
}

// While a generation's stragglers run, a group that asks gets an extra individual, bred from
// the population as it stands (another initial point in the first generation): it competes
// for the next generation's elite places.
std::optional<Point> EvolutionSearch::ask_extra() {
    const auto point = new_point(population_.empty());
    if (point) extras_.push_back({*point, std::nullopt});
    return point;
}

// The generation that came back joins the elites of the one before, chosen among them and the
// extras told since, and the next generation is bred: the whole initial population first, then
// as many children as there are non-elites.
void EvolutionSearch::close_generation() {
    const std::size_t size = static_cast<std::size_t>(settings_.population);
    const std::size_t elites = elite_count(size, settings_.elite_fraction);
    if (!brood_.empty()) {
        const auto told = std::stable_partition(extras_.begin(), extras_.end(), [](const Member& m) { return m.told.has_value(); });
        for (auto extra = extras_.begin(); extra != told; ++extra) population_.push_back(*extra->told);
        extras_.erase(extras_.begin(), told);
        rank_by_objectives(population_);
        std::sort(population_.begin(), population_.end(), fitter);
        population_.resize(std::min(population_.size(), elites));
        for (const Member& m : brood_) population_.push_back(*m.told);
        rank_by_objectives(population_);  // for the tournaments that breed the next generation
        ++generation_;
    }
    brood_.clear();
    handed_out_ = 0;
    const bool initial = population_.empty();
    for (std::size_t i = 0; i < (initial ? size : size - elites); ++i) {
        const auto point = new_point(initial);
        if (!point) break;
        brood_.push_back({*point, std::nullopt});
    }
}

std::optional<Point> EvolutionSearch::ask_steady_state() {
    const bool initial = initial_asked_ < static_cast<std::size_t>(settings_.population) || population_.size() < 2;
    if (initial) ++initial_asked_;
    return new_point(initial);
}

void EvolutionSearch::tell(const Evaluation& evaluation) {
    const Individual told = individual_of(evaluation);
    if (evaluation.again) {
        if (evaluation.loss) retell(told);
        return;
    }
    if (mode_ == Mode::steady_state) {
        tell_steady_state(told);
        return;
    }
    for (std::vector<Member>* members : {&brood_, &extras_}) {
        for (Member& m : *members) {
            if (m.point == told.point) m.told = told;
        }
    }
}

// A promoted trial's later result, wherever its individual still is: breeding, or out for
// evaluation with its generation or as an extra.
void EvolutionSearch::retell(const Individual& told) {
    for (Individual& i : population_) {
        if (i.point == told.point) i = told;
    }
    for (std::vector<Member>* members : {&brood_, &extras_}) {
        for (Member& m : *members) {
            if (m.point == told.point) m.told = told;
        }
    }
}

void EvolutionSearch::tell_steady_state(const Individual& told) {
    ++told_;
    const auto least_fit = [this] {
        return std::min_element(population_.begin(), population_.end(), [](const Individual& a, const Individual& b) { return fitter(b, a); });
    };
    if (population_.size() < static_cast<std::size_t>(settings_.population)) {
        population_.push_back(told);
        rank_by_objectives(population_);
    } else if (!told.losses.empty()) {  // the worst by front and crowding, the newcomer among them, leaves
        population_.push_back(told);
        rank_by_objectives(population_);
        population_.erase(least_fit());
        rank_by_objectives(population_);
    } else if (const auto worst = least_fit(); fitter(told, *worst)) {
        *worst = told;
    }
}

Json EvolutionSearch::save() const {
    Json population = Json::array();
    for (const auto& i : population_) population.push_back(individual_to_json(i));
    return {{"kind", "evolution"},       {"rng", rng_.save()},       {"initial_design", initial_design_.save()},
            {"suggested", history_.save()}, {"population", population}, {"brood", members_to_json(brood_)},
            {"extras", members_to_json(extras_)}, {"handed_out", handed_out_},  {"generation", generation_}, {"told", told_},
            {"initial_asked", initial_asked_}};
}

void EvolutionSearch::load(const Json& state) {
    rng_.load(state.at("rng").get<std::string>());
    initial_design_.load(state.at("initial_design"));
    history_.load(state.at("suggested"));
    population_.clear();
    for (const auto& i : state.at("population")) population_.push_back(individual_from_json(i));
    brood_ = members_from_json(state.at("brood"));
    extras_ = members_from_json(state.value("extras", Json::array()));
    handed_out_ = state.at("handed_out").get<std::size_t>();
    generation_ = state.at("generation").get<int>();
    told_ = state.at("told").get<std::size_t>();
    initial_asked_ = state.at("initial_asked").get<std::size_t>();
}

}  // namespace hpopt::optim::evolution
