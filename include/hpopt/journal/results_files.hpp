#pragma once
// <run dir>/results.csv (one row per finished trial) and <run dir>/best.json, both derived
// from the journal for people and scripts, and both replaced atomically. results.csv is
// rewritten at most once a second while the run goes on (so a long run does not spend its
// time rewriting it) and once more by flush() at the end.
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
    void flush();

private:
    std::string csv_header() const;
    std::string csv_row(const Trial& trial, const TrialResult& result) const;

    RunDirectory run_;
    std::vector<std::string> parameter_names_;
    std::string rows_;
    std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace hpopt::journal
