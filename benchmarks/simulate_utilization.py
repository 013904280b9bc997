#!/usr/bin/env python3
"""How busy the optimizers keep many groups (issue 21), by `hpopt simulate`: Hartmann6, trials
of a lognormal time (median 60 s or 10 s, spread 0.5), the coordinator's own work at its real
cost on this machine. Random search is the coordinator's ceiling; the evolutionary search and
Bayesian optimization show what their asks and tells cost. One more row checks the simulator
against a real run of BENCHMARKS.md ("Utilization": 16 groups of 50 ms trials with Bayesian
optimization, 7.8% busy under mpirun).

    benchmarks/simulate_utilization.py build/src/cli/hpopt
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROWS = [  # optimizer, groups, trials, median trial time (s), spread
    ("random", 1024, 10000, 60, 0.5),
    ("random", 1024, 10000, 10, 0.5),
    ("evolution", 1024, 10000, 60, 0.5),
    ("evolution", 1024, 10000, 10, 0.5),
    ("bayes", 64, 1000, 60, 0.5),
    ("bayes", 256, 1000, 60, 0.5),
    ("bayes", 1024, 1500, 60, 0.5),
    ("bayes", 16, 300, 0.05, 0.0),
]


def spec(optimizer):
    return {"name": "simulate", "seed": 1,
            "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 7)},
            "optimizer": {"kind": optimizer}, "budget": {"trials": 1},
            "workload": {"plugin": "analytic", "function": "hartmann6"}}


def main():
    hpopt = os.path.abspath(sys.argv[1])
    print("| optimizer | groups | trials | trial time: median, spread | utilization | virtual time | coordinator: ask, tell | best | real time |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for optimizer, groups, trials, median_s, spread in ROWS:
            with open(os.path.join(work, "spec.json"), "w") as f:
                json.dump(spec(optimizer), f)
            started = time.monotonic()
            done = subprocess.run([hpopt, "simulate", "spec.json", "--groups", str(groups), "--trials", str(trials),
                                   "--trial-time-s", str(median_s), "--spread", str(spread), "--output", "run", "--force"],
                                  cwd=work, capture_output=True, text=True, check=True)
            real_s = time.monotonic() - started
            line = next(l for l in done.stdout.splitlines() if l.startswith("simulated "))
            found = re.search(r"for (.+) of virtual time \((.+) s asking, (.+) s telling\): utilization (.+)%, best hartmann6 (\S+)", line)
            virtual, ask, tell, utilization, best = found.groups()
            print(f"| {optimizer} | {groups} | {trials} | {median_s} s, {spread} | {utilization}% | {virtual} | {ask} s, {tell} s | "
                  f"{float(best):.4f} | {real_s:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
