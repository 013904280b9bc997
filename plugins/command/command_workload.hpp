#pragma once
// The "command" workload: a trial is a program of the user's (a Python training script, say),
// run once per fold, on every rank of the fold team. See docs/workloads.md.
//
// The program gets its parameters as {name} placeholders in its arguments, and the whole trial
// in its environment (HPOPT_PARAMS as JSON, HPOPT_TRIAL_ID, HPOPT_SEED, HPOPT_FOLD, HPOPT_FOLDS,
// HPOPT_ATTEMPT, HPOPT_CHECKPOINT_DIR, HPOPT_RUN_DIR, and HPOPT_PARAMS_FILE with
// "params_file": true). It reports on stdout with JSON lines: {"fom": v} is the trial's FoM (the
// last wins; its other keys are the trial's figures; without one, the last epoch's FoM), {"epoch":
// k, "fom": v, ...} an epoch (the other keys go to the journal with it); other output is left
// alone. "fom_name" says what the FoM is. Its stdout and stderr are kept under the run dir's
// logs/trial-<id>/. A non-zero exit fails the trial with its status and the end of its stderr,
// exit status 75 (EX_TEMPFAIL) or a signal as a fault worth a retry. A deadline, an early stop or
// an interruption sends SIGTERM to the program's process group, then SIGKILL after "grace_s".
//
// In a team of several ranks, every rank runs the program with torchrun's variables (RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT: the team's first rank's
// host and a port free there), so that torch.distributed trains across the team; the FoM is the
// first rank's, and a failure of any rank's program stops the others' and fails the trial.
//
// On a GPU node each rank's program sees one device (CUDA_VISIBLE_DEVICES), chosen by the rank's
// place on its node among "devices" (see workload/devices.hpp): a script uses cuda:0.
#include "hpopt/workload/plugin.hpp"

namespace hpopt::command {

workload::Plugin plugin();

}  // namespace hpopt::command
