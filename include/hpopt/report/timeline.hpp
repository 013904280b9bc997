#pragma once
// <run dir>/timeline.json: every run of a trial on every group in the Chrome trace event format
// (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU), to open
// in https://ui.perfetto.dev or chrome://tracing. One process per group with one track for its
// trials and one per fold for their epochs; the coordinator's process shows the sessions and
// the best FoM so far as a counter.
#include "hpopt/config/json.hpp"
#include "hpopt/report/run_view.hpp"

namespace hpopt::report {

Json chrome_trace(const RunView& run);

}  // namespace hpopt::report
