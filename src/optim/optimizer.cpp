#include "hpopt/optim/optimizer.hpp"

namespace hpopt::optim {

std::vector<Point> Optimizer::ask_batch(const std::vector<Point>& pending, std::size_t count) {
    std::vector<Point> with_batch = pending;
    std::vector<Point> batch;
    while (batch.size() < count) {
        std::optional<Point> point = ask(with_batch);
        if (!point) break;
        with_batch.push_back(*point);
        batch.push_back(std::move(*point));
    }
    return batch;
}

}  // namespace hpopt::optim
