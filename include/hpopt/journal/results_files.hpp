#pragma once
// <run dir>/results.csv (one row per finished trial), <run dir>/best.json and, with several
// objectives, <run dir>/pareto.json: derived from the journal for people and scripts, and
// replaced atomically. results.csv is
// rewritten at most once a second while the run goes on (so a long run does not spend its
// time rewriting it) and once more by flush() at the end. The figures that workloads report
// beside the FoM get a column each, in the order they first appear (a name that a column
// already has is prefixed with "figure_").
#include <chrono>
#include <string>
#include <vector>

#include "hpopt/journal/run_directory.hpp"
#include "hpopt/journal/trial.hpp"

namespace hpopt::journal {

class ResultsFiles {
public:
    ResultsFiles(RunDirectory run, const space::Space& space);

    void add(const Trial& trial, const TrialResult& result);
    void write_best(const Trial& trial, const TrialResult& result, const std::string& fom_name);
    void write_pareto(const Json& front);
    void flush();

private:
    // A trial's row but for its figures' cells, which depend on the columns known at the time.
    struct Row {
        std::string before_figures;
        Json figures;
        std::string after_figures;
    };

    std::string csv_header() const;
    Row row_of(const Trial& trial, const TrialResult& result) const;
    std::string csv_row(const Row& row) const;
    void add_figure_columns(const Json& figures);

    RunDirectory run_;
    std::vector<std::string> parameter_names_;
    std::vector<std::string> figure_names_;  // as the workloads named them
    std::vector<Row> rows_;
    std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace hpopt::journal
