#pragma once
// Plots as inline SVG for the HTML report: scales from data to pixels (linear, logarithmic,
// categories) with their ticks, and a chart that draws axes, marks and text in pixels. Every
// mark can carry a tooltip (an SVG <title>, shown on hover without any script).
#include <string>
#include <utility>
#include <vector>

namespace hpopt::report::svg {

// Text for XML: & < > " escaped.
std::string escape(const std::string& text);

// A colour from a perceptually even map (viridis, approximated): 0 dark purple, 1 yellow.
std::string colour(double fraction);

// Maps data values to pixels along one axis.
class Scale {
public:
    // [low, high] widened to round ticks (and around a single value); `integral`: ticks on
    // whole numbers only (an int dimension).
    static Scale linear(double low, double high, bool integral = false);
    static Scale logarithmic(double low, double high);  // both > 0
    // Values 0 .. names.size() - 1, each in the middle of its band.
    static Scale categories(std::vector<std::string> names);

    // The pixel range (from may be greater than to: a y axis grows upwards).
    Scale& to_pixels(double from, double to);
    double operator()(double value) const;
    double low() const { return low_; }
    double high() const { return high_; }
    bool categorical() const { return !names_.empty(); }

    struct Tick {
        double value;
        std::string label;
    };
    std::vector<Tick> ticks() const;

private:
    enum class Kind { linear, logarithmic, categories };
    Kind kind_ = Kind::linear;
    double low_ = 0, high_ = 1;
    double step_ = 0.2;  // between linear ticks
    double from_ = 0, to_ = 1;
    std::vector<std::string> names_;
};

struct Point {
    double x, y;
};

// An SVG drawing of width x height pixels, its plot area inside `margin` on each side.
class Chart {
public:
    struct Margins {
        double left = 64, right = 16, top = 16, bottom = 48;
    };
    Chart(std::string id, double width, double height, Margins margins);
    Chart(std::string id, double width, double height) : Chart(std::move(id), width, height, Margins{}) {}

    double left() const { return margins_.left; }
    double right() const { return width_ - margins_.right; }
    double top() const { return margins_.top; }
    double bottom() const { return height_ - margins_.bottom; }

    // Axes along the plot area's bottom and left edges (or at `position`), with ticks and a title.
    void x_axis(const Scale& scale, const std::string& title);
    void y_axis(const Scale& scale, const std::string& title);
    void vertical_axis(const Scale& scale, double x, const std::string& title);

    void point(Point at, const std::string& colour, const std::string& tooltip, const std::string& css_class = "point",
               double radius = 3.5);
    void cross(Point at, const std::string& tooltip, const std::string& css_class);
    void line(const std::vector<Point>& points, const std::string& colour, double width, const std::string& tooltip,
              const std::string& css_class, double opacity = 1);
    void rect(Point top_left, double width, double height, const std::string& colour, const std::string& tooltip,
              const std::string& css_class);
    void text(Point at, const std::string& text, const std::string& anchor = "start", const std::string& css_class = "label");

    std::string svg() const;

private:
    std::string id_;
    double width_, height_;
    Margins margins_;
    std::string body_;
};

}  // namespace hpopt::report::svg
