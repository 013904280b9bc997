#pragma once
// The search space: named dimensions, and the map between a parameter set (typed JSON, what
// a workload receives) and a point of the unit cube [0,1]^d (what an optimizer works on).
//
// One coordinate per searched dimension, in the order of the spec; fixed dimensions have no
// coordinate. Log dimensions are uniform in log space. An int dimension of k values splits
// its coordinate into k bins of equal width (equal width in log space for a log int), so
// every int is reachable; a categorical of k choices likewise.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "hpopt/config/json.hpp"

namespace hpopt::space {

using Point = std::vector<double>;  // a point of the unit cube
using Params = Json;                // an object: parameter name -> typed value

struct RealRange {
    double low = 0, high = 1;
    bool log = false;
};

struct IntRange {
    std::int64_t low = 0, high = 1;
    bool log = false;
};

struct Choices {
    std::vector<Json> values;  // strings, numbers or booleans, kept as written
};

struct Fixed {
    Json value;
};

using Domain = std::variant<RealRange, IntRange, Choices, Fixed>;

struct Dimension {
    std::string name;
    Domain domain;

    bool searched() const { return !std::holds_alternative<Fixed>(domain); }
    // Distinct values the dimension can take; 0 for a real one.
    std::uint64_t cardinality() const;
};

class Space {
public:
    // Throws std::invalid_argument for a domain that cannot be encoded (low >= high, a log
    // range that is not positive, no choices, a duplicate name). The spec module reports
    // these with their JSON path before a Space is ever built.
    explicit Space(std::vector<Dimension> dimensions);

    const std::vector<Dimension>& dimensions() const { return dimensions_; }
    // The number of coordinates of a point: one per searched dimension.
    std::size_t size() const { return searched_.size(); }
    // The dimension behind coordinate i of a point.
    const Dimension& coordinate(std::size_t i) const { return dimensions_[searched_[i]]; }

    Params decode(const Point& point) const;
    // Throws std::invalid_argument when a parameter is missing, of the wrong type or outside
    // its domain.
    Point encode(const Params& params) const;
    // The canonical point of the parameter set `point` decodes to: ints and categoricals at
    // the centre of their bin, coordinates clamped to [0,1]. Two points decode to the same
    // parameters exactly when their snapped points are equal.
    Point snap(const Point& point) const;

    // Number of distinct parameter sets; 0 when a real dimension makes it unbounded.
    std::uint64_t cardinality() const;

private:
    std::vector<Dimension> dimensions_;
    std::vector<std::size_t> searched_;  // indices into dimensions_
};

}  // namespace hpopt::space
