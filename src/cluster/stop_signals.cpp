#include "hpopt/cluster/stop_signals.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <initializer_list>

namespace hpopt::cluster {
namespace {

std::atomic<int> signals_received{0};
int second_signal_status = 3;
bool announce_second = true;

void on_stop_signal(int) {
    if (signals_received.fetch_add(1) == 0) return;
    // Only async-signal-safe calls here.
    static const char message[] = "hpopt: a second stop signal: stopping at once (the run can be resumed)\n";
    if (announce_second) {
        [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
    }
    ::_exit(second_signal_status);
}

}  // namespace

void catch_stop_signals(int exit_status_on_second, bool announce) {
    second_signal_status = exit_status_on_second;
    announce_second = announce;
    for (int signal : {SIGINT, SIGTERM, SIGUSR1}) std::signal(signal, on_stop_signal);
}

bool stop_signal_received() { return signals_received.load() > 0; }

}  // namespace hpopt::cluster
