#include "hpopt/space/space.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace hpopt::space {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

double clamp01(double u) { return std::isnan(u) ? 0.5 : std::clamp(u, 0.0, 1.0); }

// Bin i of k equal bins that holds u.
std::uint64_t bin_of(double u, std::uint64_t k) {
    return std::min<std::uint64_t>(k - 1, static_cast<std::uint64_t>(clamp01(u) * static_cast<double>(k)));
}

double bin_centre(std::uint64_t i, std::uint64_t k) { return (static_cast<double>(i) + 0.5) / static_cast<double>(k); }

// A log int of [low, high] covers [low - 1/2, high + 1/2] in log space; n owns [n - 1/2, n + 1/2).
struct LogIntAxis {
    double origin, width;
    explicit LogIntAxis(const IntRange& r)
        : origin(std::log(r.low - 0.5)), width(std::log(r.high + 0.5) - std::log(r.low - 0.5)) {}
    double at(double x) const { return (std::log(x) - origin) / width; }
};

Json decode_int(const IntRange& r, double u) {
    if (!r.log) return r.low + static_cast<std::int64_t>(bin_of(u, static_cast<std::uint64_t>(r.high - r.low + 1)));
    const LogIntAxis axis(r);
    const double x = std::exp(axis.origin + clamp01(u) * axis.width);
    return std::clamp(static_cast<std::int64_t>(std::floor(x + 0.5)), r.low, r.high);
}

double encode_int(const IntRange& r, std::int64_t n) {
    if (!r.log) return bin_centre(static_cast<std::uint64_t>(n - r.low), static_cast<std::uint64_t>(r.high - r.low + 1));
    const LogIntAxis axis(r);
    return 0.5 * (axis.at(n - 0.5) + axis.at(n + 0.5));
}

Json decode_real(const RealRange& r, double u) {
    const double x = r.log ? std::exp(std::log(r.low) + clamp01(u) * (std::log(r.high) - std::log(r.low)))
                           : r.low + clamp01(u) * (r.high - r.low);
    return std::clamp(x, r.low, r.high);
}

double encode_real(const RealRange& r, double x) {
    return r.log ? (std::log(x) - std::log(r.low)) / (std::log(r.high) - std::log(r.low)) : (x - r.low) / (r.high - r.low);
}

Json decode_coordinate(const Domain& domain, double u) {
    return std::visit(Overloaded{
                          [&](const RealRange& r) { return decode_real(r, u); },
                          [&](const IntRange& r) { return decode_int(r, u); },
                          [&](const Choices& c) { return c.values[bin_of(u, c.values.size())]; },
                          [&](const Fixed& f) { return f.value; },
                      },
                      domain);
}

[[noreturn]] void reject(const std::string& name, const Json& value, const std::string& expected) {
    throw std::invalid_argument("parameter " + name + ": expected " + expected + " (got " + value.dump() + ")");
}

double encode_value(const Dimension& dimension, const Json& value) {
    return std::visit(
        Overloaded{
            [&](const RealRange& r) {
                if (!value.is_number()) reject(dimension.name, value, "a number");
                const double x = value.get<double>();
                if (!(x >= r.low && x <= r.high)) reject(dimension.name, value, "a value in the dimension's range");
                return clamp01(encode_real(r, x));
            },
            [&](const IntRange& r) {
                if (!value.is_number_integer()) reject(dimension.name, value, "an integer");
                const auto n = value.get<std::int64_t>();
                if (n < r.low || n > r.high) reject(dimension.name, value, "an integer in the dimension's range");
                return encode_int(r, n);
            },
            [&](const Choices& c) {
                const auto found = std::find(c.values.begin(), c.values.end(), value);
                if (found == c.values.end()) reject(dimension.name, value, "one of the choices");
                return bin_centre(static_cast<std::uint64_t>(found - c.values.begin()), c.values.size());
            },
            [&](const Fixed&) -> double { throw std::logic_error("a fixed dimension has no coordinate"); },
        },
        dimension.domain);
}

void check_domain(const Dimension& dimension) {
    const auto fail = [&](const std::string& why) { throw std::invalid_argument("dimension " + dimension.name + ": " + why); };
    std::visit(Overloaded{
                   [&](const RealRange& r) {
                       if (!(r.low < r.high)) fail("low must be < high");
                       if (r.log && !(r.low > 0)) fail("a log range must be positive");
                   },
                   [&](const IntRange& r) {
                       if (r.low > r.high) fail("low must be <= high");
                       if (r.log && r.low < 1) fail("a log int range must start at 1 or more");
                   },
                   [&](const Choices& c) {
                       if (c.values.empty()) fail("no choices");
                   },
                   [&](const Fixed&) {},
               },
               dimension.domain);
}

}  // namespace

std::uint64_t Dimension::cardinality() const {
    return std::visit(Overloaded{
                          [](const RealRange&) -> std::uint64_t { return 0; },
                          [](const IntRange& r) { return static_cast<std::uint64_t>(r.high - r.low) + 1; },
                          [](const Choices& c) -> std::uint64_t { return c.values.size(); },
                          [](const Fixed&) -> std::uint64_t { return 1; },
                      },
                      domain);
}

Space::Space(std::vector<Dimension> dimensions) : dimensions_(std::move(dimensions)) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < dimensions_.size(); ++i) {
        const Dimension& dimension = dimensions_[i];
        if (!names.insert(dimension.name).second) throw std::invalid_argument("duplicate dimension " + dimension.name);
        check_domain(dimension);
        if (dimension.searched()) searched_.push_back(i);
    }
}

Params Space::decode(const Point& point) const {
    if (point.size() != size()) throw std::invalid_argument("point has the wrong number of coordinates");
    Params params = Json::object();
    std::size_t coordinate = 0;
    for (const Dimension& dimension : dimensions_) {
        const double u = dimension.searched() ? point[coordinate++] : 0.0;
        params[dimension.name] = decode_coordinate(dimension.domain, u);
    }
    return params;
}

Point Space::encode(const Params& params) const {
    Point point;
    point.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
        const Dimension& dimension = coordinate(i);
        const auto found = params.find(dimension.name);
        if (found == params.end()) throw std::invalid_argument("parameter " + dimension.name + " is missing");
        point.push_back(encode_value(dimension, *found));
    }
    return point;
}

Point Space::snap(const Point& point) const {
    if (point.size() != size()) throw std::invalid_argument("point has the wrong number of coordinates");
    Point snapped(point.size());
    for (std::size_t i = 0; i < size(); ++i) {
        const Dimension& dimension = coordinate(i);
        snapped[i] = std::holds_alternative<RealRange>(dimension.domain)
                         ? clamp01(point[i])
                         : encode_value(dimension, decode_coordinate(dimension.domain, point[i]));
    }
    return snapped;
}

std::uint64_t Space::cardinality() const {
    std::uint64_t count = 1;
    for (const Dimension& dimension : dimensions_) {
        const std::uint64_t values = dimension.cardinality();
        if (values == 0) return 0;
        if (count > std::numeric_limits<std::uint64_t>::max() / values) return 0;  // too many to count
        count *= values;
    }
    return count;
}

}  // namespace hpopt::space
