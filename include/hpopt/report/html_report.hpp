#pragma once
// <run dir>/report.html (`hpopt report`): one self-contained page, no script and nothing
// fetched, that opens offline. Sections: a summary, the top trials, convergence (the best so
// far against trials and against time), parallel coordinates of the parameters coloured by
// FoM, the FoM against each parameter (failed trials as red crosses), a Gantt chart of the
// groups with their utilization, and the spread of the folds' FoMs per trial. Log dimensions
// have log axes; categorical ones, one band per choice. Each plot is an <svg class="plot">
// with a stable id; each trial's mark has a class naming what it is ("point", "trial-line",
// "run", "spread"), so that tests and scripts can find them.
#include <string>

#include "hpopt/report/run_view.hpp"

namespace hpopt::report {

// `generated_by`: the program and version, for the footer.
std::string html_report(const RunView& run, const std::string& generated_by);

}  // namespace hpopt::report
