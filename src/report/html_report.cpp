#include "hpopt/report/html_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>  // std::greater
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "hpopt/report/svg_chart.hpp"

namespace hpopt::report {
namespace {

using journal::TrialHistory;
using svg::escape;

const char* const style = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; } td, th { padding: 2px 10px; text-align: left; }
table.trials td, table.trials th { border-bottom: 1px solid #eee; font-variant-numeric: tabular-nums; }
table.summary th { color: #555; font-weight: normal; }
.plots { display: flex; flex-wrap: wrap; gap: 8px; }
svg.plot { background: #fff; border: 1px solid #eee; }
svg .axis { stroke: #444; } svg .tick { stroke: #444; } svg .grid { stroke: #eee; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } svg .axis-title { font-size: 12px; fill: #000; }
svg .failed { stroke: #d62728; stroke-width: 1.5; } svg .session-gap { fill: #f4f4f4; }
svg .rung { stroke-dasharray: 4 3; }
.note { color: #666; } footer { margin-top: 3em; color: #888; font-size: 12px; }
)";

// The trials that finished with a FoM, in the order they finished.
std::vector<const TrialHistory*> succeeded(const RunView& run) {
    std::vector<const TrialHistory*> ok;
    for (const TrialHistory* trial : run.history().finished()) {
        if (trial->result->ok() && std::isfinite(trial->result->fom)) ok.push_back(trial);
    }
    return ok;
}

std::string format_fom(double fom) { return std::isfinite(fom) ? fmt::format("{:.6g}", fom) : "-"; }

std::string value_text(const Json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_float()) return fmt::format("{:.6g}", value.get<double>());
    return value.dump();
}

// Colours by rank of FoM: the best trial yellow, the worst dark purple, evenly in between
// however skewed the FoMs are.
class FomColours {
public:
    FomColours(const RunView& run, const std::vector<const TrialHistory*>& trials) : objective_(run.spec().objective) {
        for (const TrialHistory* trial : trials) ranked_.push_back(objective_.loss(trial->result->fom));
        std::sort(ranked_.begin(), ranked_.end(), std::greater<>());  // worst first
    }
    double fraction(double fom) const {
        if (ranked_.size() < 2) return 1;
        const auto worse = std::upper_bound(ranked_.begin(), ranked_.end(), objective_.loss(fom), std::greater<>()) - ranked_.begin();
        return static_cast<double>(worse - 1) / static_cast<double>(ranked_.size() - 1);
    }
    std::string operator()(double fom) const { return svg::colour(fraction(fom)); }

private:
    spec::Objective objective_;
    std::vector<double> ranked_;  // the trials' losses, worst first
};

svg::Scale fom_scale(const std::vector<const TrialHistory*>& trials) {
    double low = INFINITY, high = -INFINITY;
    for (const TrialHistory* trial : trials) {
        low = std::min(low, trial->result->fom);
        high = std::max(high, trial->result->fom);
    }
    return svg::Scale::linear(low, high);
}

// A trial's mark names it and its FoM, and in runs of up to a few thousand trials its
// parameters too: each plot repeats them, which would make a page of 10,000 trials 20 MB.
std::string tooltip(const RunView& run, const TrialHistory& trial) {
    constexpr std::size_t parameters_up_to = 2000;
    std::string text = fmt::format("trial {}: {} {}", trial.trial.id, run.history().fom_name,
                                   trial.result ? format_fom(trial.result->fom) : run.status(trial));
    if (run.history().trials.size() > parameters_up_to) return text;
    for (const auto& item : trial.trial.params.items()) text += fmt::format("\n{} = {}", item.key(), value_text(item.value()));
    return text;
}

// A searched dimension as an axis: its scale, and where a trial's value lies on it.
struct ParameterAxis {
    const space::Dimension* dimension;
    svg::Scale scale;

    std::optional<double> position(const Json& params) const {
        const auto value = params.find(dimension->name);
        if (value == params.end()) return std::nullopt;
        if (const auto* choices = std::get_if<space::Choices>(&dimension->domain)) {
            const auto found = std::find(choices->values.begin(), choices->values.end(), *value);
            if (found == choices->values.end()) return std::nullopt;
            return static_cast<double>(found - choices->values.begin());
        }
        if (!value->is_number()) return std::nullopt;
        return value->get<double>();
    }
};

svg::Scale scale_of(const space::Dimension& dimension) {
    if (const auto* real = std::get_if<space::RealRange>(&dimension.domain)) {
        return real->log ? svg::Scale::logarithmic(real->low, real->high) : svg::Scale::linear(real->low, real->high);
    }
    if (const auto* range = std::get_if<space::IntRange>(&dimension.domain)) {
        const double low = static_cast<double>(range->low), high = static_cast<double>(range->high);
        return range->log ? svg::Scale::logarithmic(low, high) : svg::Scale::linear(low, high, true);
    }
    std::vector<std::string> names;
    for (const Json& choice : std::get<space::Choices>(dimension.domain).values) names.push_back(value_text(choice));
    return svg::Scale::categories(std::move(names));
}

std::vector<ParameterAxis> parameter_axes(const RunView& run) {
    std::vector<ParameterAxis> axes;
    for (const auto& dimension : run.spec().space.dimensions()) {
        if (dimension.searched()) axes.push_back({&dimension, scale_of(dimension)});
    }
    return axes;
}

// An id made of letters, digits, '-' and '_' only.
std::string id_for(const std::string& name) {
    std::string id;
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    return id;
}

// An objective as people read it: the objective named "fom" by the FoM's own name.
std::string objective_label(const RunView& run, const spec::Criterion& criterion) {
    return criterion.name == spec::Criterion::fom ? run.history().fom_name : criterion.name;
}

std::pair<std::string, std::string> objective_row(const RunView& run) {
    const spec::Objective& objective = run.spec().objective;
    if (!objective.several()) return {"objective", fmt::format("{} {}", spec::to_string(objective.direction), run.history().fom_name)};
    std::vector<std::string> criteria;
    for (const spec::Criterion& criterion : objective.criteria) criteria.push_back(spec::to_string(criterion.direction) + " " + objective_label(run, criterion));
    return {"objectives", fmt::format("{}", fmt::join(criteria, ", "))};
}

std::string summary(const RunView& run) {
    const journal::RunHistory& history = run.history();
    const TrialHistory* best = run.best();
    std::vector<std::pair<std::string, std::string>> rows = {
        {"state", journal::to_string(history.state) + (history.stop_reason.empty() ? "" : " (" + history.stop_reason + ")")},
        {"optimizer", value_text(history.spec.value("optimizer", Json::object()).value("kind", Json("?")))},
        objective_row(run),
        {"trials", fmt::format("{} finished ({}), {} running{}", run.finished(), failed_and_stopped(run.failed(), run.stopped()),
                               run.running(), run.spec().budget.trials ? fmt::format(", budget {}", *run.spec().budget.trials) : "")},
        run.spec().objective.several()
            ? std::pair<std::string, std::string>{"Pareto front", fmt::format("{} trial(s)", run.pareto_front().size())}
            : std::pair<std::string, std::string>{"best", best ? fmt::format("trial {}: {}", best->trial.id, format_fom(best->result->fom)) : "none yet"},
        {"groups", fmt::format("{}, utilization {:.1f}%", history.groups(), 100 * run.utilization())},
        {"wall time", fmt::format("{} in {} session(s)", readable_duration(history.active_s()), history.sessions.size())},
        {"started", history.started_at},
    };
    std::string html = "<table class=\"summary\" id=\"summary\">";
    for (const auto& [name, value] : rows) html += fmt::format("<tr><th>{}</th><td>{}</td></tr>", name, escape(value));
    return html + "</table>";
}

// The names of the figures the trials reported beside the FoM, in the order they first appear.
std::vector<std::string> figure_names(const std::vector<const TrialHistory*>& trials) {
    std::vector<std::string> names;
    for (const TrialHistory* trial : trials) {
        for (const auto& item : trial->result->figures.items()) {
            if (std::find(names.begin(), names.end(), item.key()) == names.end()) names.push_back(item.key());
        }
    }
    return names;
}

// The best trials by FoM, or with several objectives the Pareto front's by their first
// objective; with the figures they reported (the objectives among them) and their parameters.
std::string top_trials(const RunView& run, std::size_t count) {
    const bool several = run.spec().objective.several();
    std::vector<const TrialHistory*> ranked = several ? run.pareto_front() : succeeded(run);
    if (!several) {
        std::stable_sort(ranked.begin(), ranked.end(),
                         [&](const auto* a, const auto* b) { return run.better(a->result->fom, b->result->fom); });
    }
    if (ranked.size() > count) ranked.resize(count);
    if (ranked.empty()) return "<p class=\"note\">No trial has succeeded yet.</p>";
    const bool folds = run.spec().layout.folds > 1;
    const std::vector<std::string> figures = figure_names(ranked);
    std::string html = fmt::format("<table class=\"trials\" id=\"top-trials\"><tr><th>#</th><th>trial</th><th>{}</th>{}",
                                   escape(run.history().fom_name), folds ? "<th>std over folds</th>" : "");
    for (const std::string& name : figures) html += "<th>" + escape(name) + "</th>";
    for (const auto& dimension : run.spec().space.dimensions()) html += "<th>" + escape(dimension.name) + "</th>";
    html += "<th>group</th><th>duration</th></tr>";
    const auto cell = [](const Json& object, const std::string& name) {
        const auto value = object.find(name);
        return "<td>" + escape(value == object.end() ? "" : value_text(*value)) + "</td>";
    };
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const TrialHistory& trial = *ranked[i];
        html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td>", i + 1, trial.trial.id, format_fom(trial.result->fom));
        if (folds) html += fmt::format("<td>{:.3g}</td>", trial.result->fom_std);
        for (const std::string& name : figures) html += cell(trial.result->figures, name);
        for (const auto& dimension : run.spec().space.dimensions()) html += cell(trial.trial.params, dimension.name);
        html += fmt::format("<td>{}</td><td>{}</td></tr>", trial.group, readable_duration(trial.result->duration_s));
    }
    return html + "</table>";
}

// Every successful trial's FoM as a point, the best so far as a line, against `x` of a trial.
template <class X>
std::string convergence_chart(const RunView& run, const std::string& id, svg::Scale x_scale, const std::string& x_title, X x_of) {
    const auto trials = succeeded(run);
    svg::Chart chart(id, 480, 300);
    x_scale.to_pixels(chart.left(), chart.right());
    svg::Scale y_scale = fom_scale(trials).to_pixels(chart.bottom(), chart.top());
    chart.x_axis(x_scale, x_title);
    chart.y_axis(y_scale, run.history().fom_name);
    for (const TrialHistory* trial : trials) {
        chart.point({x_scale(x_of(*trial)), y_scale(trial->result->fom)}, "#9bb7d4", tooltip(run, *trial));
    }
    std::vector<svg::Point> steps;
    for (const RunView::BestSoFar& best : run.best_so_far()) {
        const TrialHistory& trial = run.history().trial(best.trial);
        const double x = x_scale(x_of(trial)), y = y_scale(best.fom);
        if (!steps.empty()) steps.push_back({x, steps.back().y});
        steps.push_back({x, y});
    }
    if (!steps.empty()) {
        steps.push_back({chart.right(), steps.back().y});
        chart.line(steps, "#d62728", 2, "best so far", "best-line");
    }
    return chart.svg();
}

std::string convergence(const RunView& run) {
    std::map<std::int64_t, double> finished_order;  // trial id -> how many had finished with it
    double finished = 0;
    for (const TrialHistory* trial : run.history().finished()) finished_order[trial->trial.id] = ++finished;
    const double trials = std::max<double>(1, static_cast<double>(finished_order.size()));
    const double seconds = std::max(run.history().last_record_s, 1e-3);
    return "<div class=\"plots\">" +
           convergence_chart(run, "convergence-trials", svg::Scale::linear(0, trials), "trials finished",
                             [&](const TrialHistory& trial) { return finished_order.at(trial.trial.id); }) +
           convergence_chart(run, "convergence-time", svg::Scale::linear(0, seconds), "seconds since the start",
                             [](const TrialHistory& trial) { return trial.finished_s; }) +
           "</div>";
}

// With several objectives: a trial's mark names its objectives' values.
std::string objectives_tooltip(const RunView& run, const TrialHistory& trial) {
    const std::vector<double> values = run.objective_values(*trial.result);
    std::string text = tooltip(run, trial);
    for (std::size_t j = 0; j < values.size(); ++j) text += fmt::format("\n{} = {}", objective_label(run, run.spec().objective.criteria[j]), format_fom(values[j]));
    return text;
}

struct ObjectivePoints {
    std::vector<const TrialHistory*> trials;  // the contenders
    std::vector<std::vector<double>> values;  // each one's objective values
    std::vector<const TrialHistory*> front;   // those on the Pareto front, by their first objective
    std::set<std::int64_t> front_ids;
};

ObjectivePoints objective_points(const RunView& run) {
    ObjectivePoints points;
    for (const TrialHistory* trial : run.history().finished()) {
        if (!run.contends(*trial->result)) continue;
        points.trials.push_back(trial);
        points.values.push_back(run.objective_values(*trial->result));
    }
    points.front = run.pareto_front();
    for (const TrialHistory* trial : points.front) points.front_ids.insert(trial->trial.id);
    return points;
}

svg::Scale objective_scale(const ObjectivePoints& points, std::size_t objective) {
    double low = INFINITY, high = -INFINITY;
    for (const auto& values : points.values) {
        low = std::min(low, values[objective]);
        high = std::max(high, values[objective]);
    }
    return svg::Scale::linear(low, high);
}

// Two objectives: every contending trial as a point, the front's in red and joined.
std::string pareto_scatter(const RunView& run, const ObjectivePoints& points) {
    const auto& criteria = run.spec().objective.criteria;
    svg::Chart chart("pareto-front", 480, 340);
    svg::Scale x = objective_scale(points, 0).to_pixels(chart.left(), chart.right());
    svg::Scale y = objective_scale(points, 1).to_pixels(chart.bottom(), chart.top());
    chart.x_axis(x, objective_label(run, criteria[0]) + " (" + spec::to_string(criteria[0].direction) + ")");
    chart.y_axis(y, objective_label(run, criteria[1]) + " (" + spec::to_string(criteria[1].direction) + ")");
    std::vector<svg::Point> front_line;
    for (std::size_t i = 0; i < points.trials.size(); ++i) {
        const svg::Point at{x(points.values[i][0]), y(points.values[i][1])};
        if (points.front_ids.count(points.trials[i]->trial.id)) continue;
        chart.point(at, "#9bb7d4", objectives_tooltip(run, *points.trials[i]));
    }
    for (const TrialHistory* trial : points.front) {
        const std::vector<double> values = run.objective_values(*trial->result);
        front_line.push_back({x(values[0]), y(values[1])});
    }
    if (front_line.size() > 1) chart.line(front_line, "#d62728", 1.5, "the Pareto front", "front-line");
    for (const TrialHistory* trial : points.front) {
        const std::vector<double> values = run.objective_values(*trial->result);
        chart.point({x(values[0]), y(values[1])}, "#d62728", objectives_tooltip(run, *trial), "front-point", 4.5);
    }
    return chart.svg();
}

// Three objectives or more: one line per contending trial across the objectives' axes, the
// front's in red over the others.
std::string objectives_parallel(const RunView& run, const ObjectivePoints& points) {
    const auto& criteria = run.spec().objective.criteria;
    svg::Chart chart("pareto-front", 960, 380, {40, 120, 20, 40});
    const double spacing = (chart.right() - chart.left()) / static_cast<double>(criteria.size() - 1);
    std::vector<svg::Scale> scales;
    for (std::size_t j = 0; j < criteria.size(); ++j) scales.push_back(objective_scale(points, j).to_pixels(chart.bottom(), chart.top()));
    const auto polyline = [&](const std::vector<double>& values) {
        std::vector<svg::Point> line;
        for (std::size_t j = 0; j < values.size(); ++j) line.push_back({chart.left() + spacing * static_cast<double>(j), scales[j](values[j])});
        return line;
    };
    for (bool on_front : {false, true}) {
        for (std::size_t i = 0; i < points.trials.size(); ++i) {
            if (points.front_ids.count(points.trials[i]->trial.id) != (on_front ? 1U : 0U)) continue;
            chart.line(polyline(points.values[i]), on_front ? "#d62728" : "#9bb7d4", on_front ? 2 : 1,
                       objectives_tooltip(run, *points.trials[i]), on_front ? "front-line" : "trial-line", on_front ? 1 : 0.5);
        }
    }
    for (std::size_t j = 0; j < criteria.size(); ++j) {
        chart.vertical_axis(scales[j], chart.left() + spacing * static_cast<double>(j),
                            objective_label(run, criteria[j]) + " (" + (criteria[j].direction == spec::Direction::minimize ? "min" : "max") + ")");
    }
    return chart.svg();
}

// The hypervolume of the contending trials after each trial finished.
std::string hypervolume_chart(const RunView::HypervolumeSoFar& so_far) {
    svg::Chart chart("hypervolume", 480, 340);
    const double last = so_far.by_finished.empty() ? 0 : so_far.by_finished.back();
    svg::Scale x = svg::Scale::linear(0, std::max<double>(1, static_cast<double>(so_far.by_finished.size()))).to_pixels(chart.left(), chart.right());
    svg::Scale y = svg::Scale::linear(0, last > 0 ? last : 1).to_pixels(chart.bottom(), chart.top());
    chart.x_axis(x, "trials finished");
    chart.y_axis(y, "hypervolume");
    std::vector<svg::Point> line;
    for (std::size_t k = 0; k < so_far.by_finished.size(); ++k) line.push_back({x(static_cast<double>(k + 1)), y(so_far.by_finished[k])});
    if (!line.empty()) chart.line(line, "#d62728", 2, fmt::format("hypervolume {:.6g}", last), "hypervolume-line");
    return chart.svg();
}

std::string pareto(const RunView& run, const RunView::HypervolumeSoFar& so_far) {
    const ObjectivePoints points = objective_points(run);
    if (points.trials.empty()) return "<p>No trial has reported every objective yet.</p>";
    const std::string front = run.spec().objective.criteria.size() == 2 ? pareto_scatter(run, points) : objectives_parallel(run, points);
    return "<div class=\"plots\">" + front + hypervolume_chart(so_far) + "</div>";
}

std::string hypervolume_note(const RunView::HypervolumeSoFar& so_far) {
    std::vector<std::string> reference;
    for (double r : so_far.reference) reference.push_back(format_fom(r));
    return fmt::format("The trials trained to their end within the constraints; red: the Pareto front, those no other beats "
                       "in every objective (pareto.json lists them). Right: the hypervolume they dominate, after each trial "
                       "finished, against the reference point ({}), a tenth of each objective's range past its worst value.",
                       fmt::join(reference, ", "));
}

std::string parallel_coordinates(const RunView& run) {
    std::vector<const TrialHistory*> trials = succeeded(run);
    std::vector<ParameterAxis> axes = parameter_axes(run);
    svg::Chart chart("parallel-coordinates", 960, 380, {40, 190, 20, 40});
    const double spacing = (chart.right() - chart.left()) / static_cast<double>(std::max<std::size_t>(axes.size(), 1));
    for (auto& axis : axes) axis.scale.to_pixels(chart.bottom(), chart.top());
    svg::Scale foms = fom_scale(trials).to_pixels(chart.bottom(), chart.top());
    const FomColours colours(run, trials);
    // Thousands of lines would be one blot: the more there are, the fainter each.
    const double faintness = std::clamp(300.0 / static_cast<double>(std::max<std::size_t>(trials.size(), 1)), 0.08, 1.0);
    // The better trials are drawn last, over the others.
    std::stable_sort(trials.begin(), trials.end(), [&](const auto* a, const auto* b) { return run.better(b->result->fom, a->result->fom); });
    for (const TrialHistory* trial : trials) {
        std::vector<svg::Point> points;
        for (std::size_t i = 0; i < axes.size(); ++i) {
            if (const auto position = axes[i].position(trial->trial.params)) {
                points.push_back({chart.left() + spacing * static_cast<double>(i), axes[i].scale(*position)});
            }
        }
        points.push_back({chart.left() + spacing * static_cast<double>(axes.size()), foms(trial->result->fom)});
        const double fraction = colours.fraction(trial->result->fom);
        chart.line(points, colours(trial->result->fom), 1 + fraction, tooltip(run, *trial), "trial-line",
                   faintness * (0.35 + 0.5 * fraction));
    }
    for (std::size_t i = 0; i < axes.size(); ++i) {
        chart.vertical_axis(axes[i].scale, chart.left() + spacing * static_cast<double>(i), axes[i].dimension->name);
    }
    const double fom_axis = chart.left() + spacing * static_cast<double>(axes.size());
    chart.vertical_axis(foms, fom_axis, "");
    chart.text({fom_axis - 8, chart.bottom() + 20}, run.history().fom_name, "start", "axis-title");  // into the wide right margin
    return chart.svg();
}

std::string parameter_plots(const RunView& run) {
    const auto trials = succeeded(run);
    const FomColours colours(run, trials);
    std::string html = "<div class=\"plots\">";
    for (ParameterAxis axis : parameter_axes(run)) {
        svg::Chart chart("fom-vs-" + id_for(axis.dimension->name), 316, 250, {60, 12, 12, 52});
        axis.scale.to_pixels(chart.left(), chart.right());
        svg::Scale foms = fom_scale(trials).to_pixels(chart.bottom(), chart.top());
        chart.x_axis(axis.scale, axis.dimension->name);
        chart.y_axis(foms, run.history().fom_name);
        // Points of a category spread over its band, so that they do not hide each other.
        const auto jitter = [&](std::int64_t id) { return axis.scale.categorical() ? ((id * 37) % 21 - 10) * 0.025 : 0.0; };
        for (const TrialHistory* trial : trials) {
            if (const auto x = axis.position(trial->trial.params)) {
                chart.point({axis.scale(*x + jitter(trial->trial.id)), foms(trial->result->fom)}, colours(trial->result->fom),
                            tooltip(run, *trial));
            }
        }
        for (const TrialHistory* trial : run.history().finished()) {
            const auto x = axis.position(trial->trial.params);
            if (trial->result->status != journal::TrialStatus::failed || !x) continue;
            chart.cross({axis.scale(*x + jitter(trial->trial.id)), chart.bottom() - 6},
                        fmt::format("trial {} failed: {}", trial->trial.id, trial->result->reason), "failed");
        }
        html += chart.svg();
    }
    return html + "</div>";
}

std::string outcome_colour(journal::TrialRun::Outcome outcome) {
    switch (outcome) {
        case journal::TrialRun::Outcome::ok: return "#4c78a8";
        case journal::TrialRun::Outcome::failed: return "#d62728";
        case journal::TrialRun::Outcome::stopped: return "#9ecae9";
        case journal::TrialRun::Outcome::paused: return "#c7e9c0";
        case journal::TrialRun::Outcome::attempt_failed: return "#ff9f40";
        case journal::TrialRun::Outcome::interrupted: return "#9467bd";
        case journal::TrialRun::Outcome::lost: return "#999999";
        case journal::TrialRun::Outcome::running: return "#54a24b";
    }
    return "#000";
}

std::string gantt(const RunView& run) {
    const journal::RunHistory& history = run.history();
    const int groups = std::max(history.groups(), 1);
    const double row = groups > 32 ? 8 : 24;
    svg::Chart chart("gantt", 960, 70 + row * groups, {130, 16, 30, 40});
    svg::Scale time = svg::Scale::linear(0, std::max(history.last_record_s, 1e-3)).to_pixels(chart.left(), chart.right());
    chart.x_axis(time, "seconds since the start");
    for (std::size_t i = 1; i < history.sessions.size(); ++i) {  // the run was down between two sessions
        const double from = time(history.sessions[i - 1].end_s), to = time(history.sessions[i].start_s);
        chart.rect({from, chart.top()}, to - from, chart.bottom() - chart.top(), "#f4f4f4", "not running", "session-gap");
    }
    const std::vector<double> busy = run.busy_s_per_group();
    for (int group = 0; group < groups; ++group) {
        const double y = chart.top() + row * group;
        const double utilization = history.active_s() > 0 && group < static_cast<int>(busy.size())
                                       ? busy[static_cast<std::size_t>(group)] / history.active_s() : 0;
        if (row >= 12) chart.text({chart.left() - 8, y + row * 0.7}, fmt::format("group {} · {:.0f}%", group, 100 * utilization), "end");
    }
    for (const journal::TrialRun& each : history.runs) {
        const std::string label = fmt::format("trial {} on group {}: {}, {:.3f}-{:.3f} s", each.trial, each.group,
                                              journal::to_string(each.outcome), each.start_s, each.end_s);
        chart.rect({time(each.start_s), chart.top() + row * each.group + 1}, time(each.end_s) - time(each.start_s), row - 2,
                   outcome_colour(each.outcome), label, "run");
    }
    std::string legend = "<p class=\"note\">";
    for (auto outcome : {journal::TrialRun::Outcome::ok, journal::TrialRun::Outcome::failed, journal::TrialRun::Outcome::stopped,
                         journal::TrialRun::Outcome::paused, journal::TrialRun::Outcome::attempt_failed,
                         journal::TrialRun::Outcome::interrupted, journal::TrialRun::Outcome::lost, journal::TrialRun::Outcome::running}) {
        legend += fmt::format("<span style=\"color:{}\">&#9632;</span> {} &nbsp; ", outcome_colour(outcome), journal::to_string(outcome));
    }
    return chart.svg() + legend + "</p>";
}

std::string fold_spread(const RunView& run) {
    std::vector<const TrialHistory*> trials;
    for (const TrialHistory* trial : succeeded(run)) {
        if (trial->result->fold_foms.size() > 1) trials.push_back(trial);
    }
    if (trials.empty()) return "<p class=\"note\">One fold per trial: no spread to show.</p>";
    double low = INFINITY, high = -INFINITY, last_id = 0;
    for (const TrialHistory* trial : trials) {
        for (double fom : trial->result->fold_foms) {
            if (std::isfinite(fom)) low = std::min(low, fom), high = std::max(high, fom);
        }
        last_id = std::max(last_id, static_cast<double>(trial->trial.id));
    }
    svg::Chart chart("fold-spread", 960, 300);
    svg::Scale x = svg::Scale::linear(0, std::max(last_id, 1.0)).to_pixels(chart.left(), chart.right());
    svg::Scale y = svg::Scale::linear(low, high).to_pixels(chart.bottom(), chart.top());
    chart.x_axis(x, "trial");
    chart.y_axis(y, run.history().fom_name + " per fold");
    for (const TrialHistory* trial : trials) {
        const auto& foms = trial->result->fold_foms;
        const auto [lowest, highest] = std::minmax_element(foms.begin(), foms.end());
        const double at = x(static_cast<double>(trial->trial.id));
        chart.line({{at, y(*lowest)}, {at, y(*highest)}}, "#888", 1.5,
                   fmt::format("trial {}: mean {} std {:.3g}", trial->trial.id, format_fom(trial->result->fom), trial->result->fom_std),
                   "spread");
        for (std::size_t fold = 0; fold < foms.size(); ++fold) {
            chart.point({at, y(foms[fold])}, "#4c78a8", fmt::format("trial {} fold {}: {}", trial->trial.id, fold, format_fom(foms[fold])),
                        "fold-point", 2.5);
        }
    }
    return chart.svg();
}

// A trial's FoM after each epoch that all its `folds` reported: their mean, as early stopping
// judged it (a fold that ran again, after a failed attempt, by its latest report).
std::vector<std::pair<std::int64_t, double>> mean_curve(const TrialHistory& trial, int folds) {
    std::map<std::int64_t, std::map<int, double>> by_epoch;
    for (const journal::EpochPoint& point : trial.epochs) by_epoch[point.epoch][point.fold] = point.fom;
    std::vector<std::pair<std::int64_t, double>> curve;
    for (const auto& [epoch, by_fold] : by_epoch) {
        double sum = 0;
        for (const auto& [fold, fom] : by_fold) sum += fom;
        const double mean = sum / folds;
        if (static_cast<int>(by_fold.size()) == folds && std::isfinite(mean)) curve.emplace_back(epoch, mean);
    }
    return curve;
}

// Trials that reached each epoch early stopping judged at, and those it stopped there (a verdict
// that came when its trial had finished is no stop, nor a pause from which it was promoted).
std::string rung_table(const RunView& run, const std::map<const TrialHistory*, std::vector<std::pair<std::int64_t, double>>>& curves) {
    std::map<std::int64_t, std::vector<const journal::EarlyStop*>> by_epoch;
    for (const journal::EarlyStop& stop : run.history().early_stops) {
        const TrialHistory& trial = run.history().trial(stop.trial);
        const bool last = trial.result && trial.result->status == journal::TrialStatus::stopped && trial.result->stopped_epoch == stop.epoch;
        if (last) by_epoch[stop.epoch].push_back(&stop);
    }
    std::string html = "<table class=\"trials\"><tr><th>epoch</th><th>trials that reached it</th><th>stopped there</th><th>cuts</th></tr>";
    for (const auto& [epoch, stops] : by_epoch) {
        const auto reached = std::count_if(curves.begin(), curves.end(), [&, e = epoch](const auto& entry) {
            return !entry.second.empty() && entry.second.back().first >= e;
        });
        const auto [low, high] = std::minmax_element(stops.begin(), stops.end(), [](const auto* a, const auto* b) { return a->cut < b->cut; });
        html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{} to {}</td></tr>", epoch, reached, stops.size(),
                            format_fom((*low)->cut), format_fom((*high)->cut));
    }
    return html + "</table>";
}

std::string learning_curves(const RunView& run) {
    std::map<const TrialHistory*, std::vector<std::pair<std::int64_t, double>>> curves;
    double low = INFINITY, high = -INFINITY, last_epoch = 1;
    for (const TrialHistory* trial : run.history().finished()) {
        if (!trial->result->has_fom()) continue;
        auto curve = mean_curve(*trial, run.spec().layout.folds);
        if (curve.empty()) continue;
        for (const auto& [epoch, fom] : curve) {
            low = std::min(low, fom), high = std::max(high, fom);
            last_epoch = std::max(last_epoch, static_cast<double>(epoch));
        }
        curves.emplace(trial, std::move(curve));
    }
    if (curves.empty()) return "<p class=\"note\">No trial reported epochs.</p>";
    svg::Chart chart("learning-curves", 960, 340);
    svg::Scale x = svg::Scale::linear(1, std::max(last_epoch, 2.0)).to_pixels(chart.left(), chart.right());
    svg::Scale y = svg::Scale::linear(low, high).to_pixels(chart.bottom(), chart.top());
    chart.x_axis(x, "epoch");
    chart.y_axis(y, run.history().fom_name + " (mean over folds)");
    std::set<std::int64_t> rungs;
    for (const journal::EarlyStop& stop : run.history().early_stops) rungs.insert(stop.epoch);
    for (std::int64_t rung : rungs) {
        const double at = x(static_cast<double>(rung));
        chart.line({{at, chart.bottom()}, {at, chart.top()}}, "#999", 1, fmt::format("early stopping judged trials at epoch {}", rung), "rung");
    }
    const FomColours colours(run, succeeded(run));
    const double faintness = std::clamp(200.0 / static_cast<double>(curves.size()), 0.1, 1.0);
    for (const bool full : {false, true}) {  // the trials trained to the end over the stopped ones
        for (const auto& [trial, curve] : curves) {
            if (trial->result->ok() != full) continue;
            std::vector<svg::Point> points;
            for (const auto& [epoch, fom] : curve) points.push_back({x(static_cast<double>(epoch)), y(fom)});
            chart.line(points, full ? colours(trial->result->fom) : "#b0b0b0", full ? 1.5 : 1, tooltip(run, *trial),
                       full ? "trial-curve" : "stopped-curve", full ? std::max(faintness, 0.5) : faintness);
        }
    }
    return chart.svg() + (rungs.empty() ? "" : rung_table(run, curves));
}

std::string section(const std::string& id, const std::string& title, const std::string& note, const std::string& body) {
    return fmt::format("<section id=\"{}-section\"><h2>{}</h2>{}{}</section>\n", id, title,
                       note.empty() ? "" : "<p class=\"note\">" + note + "</p>", body);
}

}  // namespace

std::string html_report(const RunView& run, const std::string& generated_by) {
    const std::string name = escape(run.spec().name);
    const std::string fom = escape(run.history().fom_name);
    std::string html = fmt::format("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hpopt report: {}</title>"
                                   "<style>{}</style></head><body>\n<h1>Search \"{}\"</h1>\n",
                                   name, style, name);
    html += section("summary", "Summary", "", summary(run));
    html += section("top-trials", run.spec().objective.several() ? "Trials on the Pareto front" : "Top trials",
                    run.spec().objective.several() ? "The first 20, by their first objective." : "", top_trials(run, run.spec().objective.several() ? 20 : 10));
    if (run.spec().objective.several()) {
        const RunView::HypervolumeSoFar so_far = run.hypervolume_so_far();
        html += section("pareto", "Pareto front", hypervolume_note(so_far), pareto(run, so_far));
    }
    html += section("convergence", "Convergence", fmt::format("Each successful trial's {} (blue) and the best so far (red).", fom),
                    convergence(run));
    html += section("parallel-coordinates", "Parameters and " + fom,
                    "One line per successful trial across the parameters' axes to its " + fom +
                        "; the better the trial, the brighter and thicker its line.",
                    parallel_coordinates(run));
    html += section("parameters", fom + " against each parameter", "Failed trials are red crosses along the bottom.",
                    parameter_plots(run));
    html += section("learning-curves", "Learning curves",
                    "Each finished trial's " + fom +
                        " after each epoch, the mean over its folds: coloured to the end for the trials trained to their last "
                        "epoch, grey where early stopping stopped a trial; dashed at the epochs it judged trials at, with the "
                        "trials that reached each and those it stopped there.",
                    learning_curves(run));
    html += section("groups", "Groups over time", "Each run of a trial on its group; the share of its time each group was busy.",
                    gantt(run));
    html += section("folds", "Spread over folds", "The folds' " + fom + " of each trial, from the lowest to the highest.",
                    fold_spread(run));
    html += fmt::format("<footer>Made by {} from the run's journal.</footer>\n</body></html>\n", escape(generated_by));
    return html;
}

}  // namespace hpopt::report
