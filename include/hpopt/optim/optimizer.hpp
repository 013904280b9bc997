#pragma once
// The interface every search algorithm implements. An optimizer works on points of the unit
// cube (see space::Space) and minimizes a loss, or several: the caller turns figures into
// losses according to the objectives' directions.
#include <cstdint>
#include <optional>
#include <vector>

#include "hpopt/config/json.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::optim {

using space::Point;

struct Evaluation {
    Point point;                 // exactly as ask() returned it
    std::optional<double> loss;  // nullopt: the trial failed
    // Told before: early stopping paused the trial (its loss then was told) and promoted it
    // later. This loss replaces that one; nullopt keeps it.
    bool again = false;
    // Early stopping stopped (or paused) the trial after this many epochs: the loss is of then,
    // not of a model trained to the end. None for a trial trained to its end, or failed.
    std::optional<std::int64_t> stopped_epoch = std::nullopt;
    // With several objectives, each one's loss (the search minimizes them all; `loss` is still
    // the FoM's, nullopt for a failure); empty with one objective.
    std::vector<double> losses = {};
};

class Optimizer {
public:
    virtual ~Optimizer() = default;

    // The next point to evaluate, given the points handed out and not yet told (pending).
    // Never a point already suggested. nullopt when there is nothing to suggest: for now, if
    // some points are pending (one must be told first), or for good (the space is exhausted).
    virtual std::optional<Point> ask(const std::vector<Point>& pending) = 0;
    // Up to `count` points, as if asked one at a time with the earlier ones pending (fewer: there
    // is nothing more to suggest for now). An optimizer may share work among them, but the first
    // m points of a batch of count are always those of a batch of m, and a batch of one is ask().
    virtual std::vector<Point> ask_batch(const std::vector<Point>& pending, std::size_t count);
    virtual void tell(const Evaluation& evaluation) = 0;
    // early_stopping.tell_stopped "rungs": a running trial's loss after `epoch` epochs, at a rung
    // of early stopping. An optimizer that models fidelity learns from it; the others ignore it.
    virtual void tell_rung(const Point& point, std::int64_t epoch, double loss) { (void)point, (void)epoch, (void)loss; }

    // The whole state, random generators included: after load(save()), the optimizer makes
    // the same suggestions as the one that was saved.
    virtual Json save() const = 0;
    virtual void load(const Json& state) = 0;
};

}  // namespace hpopt::optim
