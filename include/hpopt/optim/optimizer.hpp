#pragma once
// The interface every search algorithm implements. An optimizer works on points of the unit
// cube (see space::Space) and minimizes a loss: the caller turns a figure of merit into a
// loss according to the objective's direction.
#include <optional>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::optim {

using space::Point;

struct Evaluation {
    Point point;                 // exactly as ask() returned it
    std::optional<double> loss;  // nullopt: the trial failed
};

class Optimizer {
public:
    virtual ~Optimizer() = default;

    // The next point to evaluate, given the points handed out and not yet told (pending).
    // Never a point already suggested. nullopt when there is nothing to suggest: for now, if
    // some points are pending (one must be told first), or for good (the space is exhausted).
    virtual std::optional<Point> ask(const std::vector<Point>& pending) = 0;
    virtual void tell(const Evaluation& evaluation) = 0;

    // The whole state, random generators included: after load(save()), the optimizer makes
    // the same suggestions as the one that was saved.
    virtual Json save() const = 0;
    virtual void load(const Json& state) = 0;
};

}  // namespace hpopt::optim
