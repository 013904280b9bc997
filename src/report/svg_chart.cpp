#include "hpopt/report/svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace hpopt::report::svg {
namespace {

// A round step (1, 2 or 5 times a power of ten) that cuts `span` into about `parts`.
double round_step(double span, int parts) {
    const double raw = span / parts;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0}) {
        if (factor * power >= raw) return factor * power;
    }
    return 10 * power;
}

std::string number_label(double value) {
    if (std::abs(value) < 1e-12) return "0";
    if (std::abs(value) < 1e7 && value == std::round(value)) return fmt::format("{:.0f}", value);  // 10000, not 1e+04
    return fmt::format("{:.4g}", value);
}

std::string title_element(const std::string& tooltip) {
    return tooltip.empty() ? "" : "<title>" + escape(tooltip) + "</title>";
}

}  // namespace

std::string escape(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        switch (c) {
            case '&': escaped += "&amp;"; break;
            case '<': escaped += "&lt;"; break;
            case '>': escaped += "&gt;"; break;
            case '"': escaped += "&quot;"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

std::string colour(double fraction) {
    // Five stops of matplotlib's viridis, linearly interpolated.
    static constexpr std::array<std::array<double, 3>, 5> stops{{
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
    const double position = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0) * (stops.size() - 1);
    const auto below = std::min(static_cast<std::size_t>(position), stops.size() - 2);
    const double weight = position - below;
    std::array<int, 3> rgb{};
    for (std::size_t i = 0; i < 3; ++i) {
        rgb[i] = static_cast<int>(std::round(stops[below][i] * (1 - weight) + stops[below + 1][i] * weight));
    }
    return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

Scale Scale::linear(double low, double high, bool integral) {
    if (!std::isfinite(low) || !std::isfinite(high)) low = 0, high = 1;
    if (low == high) {
        const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
        low -= pad, high += pad;
    }
    Scale scale;
    scale.step_ = integral ? std::max(1.0, round_step(high - low, 5)) : round_step(high - low, 5);
    scale.low_ = std::floor(low / scale.step_) * scale.step_;
    scale.high_ = std::ceil(high / scale.step_) * scale.step_;
    if (integral) scale.low_ -= 0.5, scale.high_ += 0.5;  // the end values off the axis' ends
    return scale;
}

Scale Scale::logarithmic(double low, double high) {
    Scale scale;
    scale.kind_ = Kind::logarithmic;
    const double pad = std::max(std::log10(high / low), 0.5) * 0.05;
    scale.low_ = low / std::pow(10.0, pad);
    scale.high_ = high * std::pow(10.0, pad);
    return scale;
}

Scale Scale::categories(std::vector<std::string> names) {
    Scale scale;
    scale.kind_ = Kind::categories;
    scale.low_ = -0.5;
    scale.high_ = static_cast<double>(names.size()) - 0.5;
    scale.names_ = std::move(names);
    return scale;
}

Scale& Scale::to_pixels(double from, double to) {
    from_ = from;
    to_ = to;
    return *this;
}

double Scale::operator()(double value) const {
    const double fraction = kind_ == Kind::logarithmic ? std::log(value / low_) / std::log(high_ / low_)
                                                       : (value - low_) / (high_ - low_);
    return from_ + fraction * (to_ - from_);
}

std::vector<Scale::Tick> Scale::ticks() const {
    std::vector<Tick> ticks;
    if (kind_ == Kind::categories) {
        for (std::size_t i = 0; i < names_.size(); ++i) ticks.push_back({static_cast<double>(i), names_[i]});
    } else if (kind_ == Kind::logarithmic) {
        const double decades = std::log10(high_ / low_);
        const std::vector<double> mantissas = decades < 1.5 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
        const int step = decades > 8 ? 2 : 1;
        for (int power = static_cast<int>(std::floor(std::log10(low_))); power <= std::ceil(std::log10(high_)); power += step) {
            for (double mantissa : mantissas) {
                const double value = mantissa * std::pow(10.0, power);
                if (value >= low_ && value <= high_) ticks.push_back({value, number_label(value)});
            }
        }
    } else {
        const double first = std::ceil(low_ / step_ - 1e-9) * step_;
        for (double value = first; value <= high_ + step_ * 1e-9; value += step_) ticks.push_back({value, number_label(value)});
    }
    return ticks;
}

Chart::Chart(std::string id, double width, double height, Margins margins)
    : id_(std::move(id)), width_(width), height_(height), margins_(margins) {}

void Chart::x_axis(const Scale& scale, const std::string& title) {
    body_ += fmt::format(R"svg(<line class="axis" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)svg", left(), bottom(), right(), bottom());
    const bool slanted = scale.categorical() && scale.ticks().size() > 4;
    for (const auto& tick : scale.ticks()) {
        const double x = scale(tick.value);
        body_ += fmt::format(R"svg(<line class="tick" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)svg", x, bottom(), x, bottom() + 4);
        if (slanted) {
            body_ += fmt::format(R"svg(<text class="x-tick" transform="translate({:.1f},{:.1f}) rotate(-30)" text-anchor="end">{}</text>)svg",
                                 x, bottom() + 14, escape(tick.label));
        } else {
            text({x, bottom() + 16}, tick.label, "middle", "x-tick");
        }
    }
    text({(left() + right()) / 2, height_ - 6}, title, "middle", "axis-title");
}

void Chart::y_axis(const Scale& scale, const std::string& title) {
    body_ += fmt::format(R"svg(<line class="axis" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)svg", left(), top(), left(), bottom());
    for (const auto& tick : scale.ticks()) {
        const double y = scale(tick.value);
        body_ += fmt::format(R"svg(<line class="grid" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)svg", left(), y, right(), y);
        text({left() - 6, y + 4}, tick.label, "end", "y-tick");
    }
    body_ += fmt::format(R"svg(<text class="axis-title" transform="translate(14,{:.1f}) rotate(-90)" text-anchor="middle">{}</text>)svg",
                         (top() + bottom()) / 2, escape(title));
}

void Chart::vertical_axis(const Scale& scale, double x, const std::string& title) {
    body_ += fmt::format(R"svg(<line class="axis" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)svg", x, top(), x, bottom());
    for (const auto& tick : scale.ticks()) {
        const double y = scale(tick.value);
        body_ += fmt::format(R"svg(<line class="tick" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)svg", x - 3, y, x + 3, y);
        text({x + 5, y + 4}, tick.label, "start", "tick-label");
    }
    text({x, bottom() + 20}, title, "middle", "axis-title");
}

void Chart::point(Point at, const std::string& colour, const std::string& tooltip, const std::string& css_class, double radius) {
    body_ += fmt::format(R"svg(<circle class="{}" cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}">{}</circle>)svg", css_class, at.x, at.y,
                         radius, colour, title_element(tooltip));
}

void Chart::cross(Point at, const std::string& tooltip, const std::string& css_class) {
    body_ += fmt::format(R"svg(<path class="{}" d="M{:.1f},{:.1f}l6,6m0,-6l-6,6">{}</path>)svg", css_class, at.x - 3, at.y - 3,
                         title_element(tooltip));
}

void Chart::line(const std::vector<Point>& points, const std::string& colour, double width, const std::string& tooltip,
                 const std::string& css_class, double opacity) {
    std::string coordinates;
    for (const Point& p : points) coordinates += fmt::format("{:.1f},{:.1f} ", p.x, p.y);
    body_ += fmt::format(R"svg(<polyline class="{}" points="{}" fill="none" stroke="{}" stroke-width="{}" stroke-opacity="{}">{}</polyline>)svg",
                         css_class, coordinates, colour, width, opacity, title_element(tooltip));
}

void Chart::rect(Point top_left, double width, double height, const std::string& colour, const std::string& tooltip,
                 const std::string& css_class) {
    body_ += fmt::format(R"svg(<rect class="{}" x="{:.2f}" y="{:.1f}" width="{:.2f}" height="{:.1f}" fill="{}">{}</rect>)svg", css_class,
                         top_left.x, top_left.y, std::max(width, 0.5), height, colour, title_element(tooltip));
}

void Chart::text(Point at, const std::string& text, const std::string& anchor, const std::string& css_class) {
    body_ += fmt::format(R"svg(<text class="{}" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text>)svg", css_class, at.x, at.y, anchor,
                         escape(text));
}

std::string Chart::svg() const {
    return fmt::format(R"svg(<svg id="{}" class="plot" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>)svg",
                       escape(id_), width_, height_, width_, height_, body_);
}

}  // namespace hpopt::report::svg
