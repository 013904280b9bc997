#pragma once
// SIGINT, SIGTERM and SIGUSR1 ask a search to stop. The first one is noted (the coordinator
// then lets the running trials reach a stop and leaves a resumable run, see Coordinator); a
// second one ends the process at once with the given status: every record the journal holds
// stays, and `hpopt resume` goes on from there. SIGUSR1 is there for mpirun, which forwards it
// to every rank at once, where SIGTERM is followed by SIGKILL a second later.
namespace hpopt::cluster {

// `announce`: say on stderr why the process leaves at the second signal.
void catch_stop_signals(int exit_status_on_second, bool announce);
bool stop_signal_received();

}  // namespace hpopt::cluster
