#!/usr/bin/env python3
"""How busy the optimizers keep many groups (issue 21), by `hpopt simulate`: Hartmann6, trials
of a lognormal time (median 60 s or 10 s, spread 0.5), the coordinator's own work at its real
cost on this machine. Random search is the coordinator's ceiling; the evolutionary search and
Bayesian optimization show what their asks and tells cost. One more row checks the simulator
against a real run of BENCHMARKS.md ("Utilization": 16 groups of 50 ms trials with Bayesian
optimization under mpirun). Utilization is over the whole run, and while there was
work to hand out (until the last trial was handed out: the drain at the end, where groups wait
for the slowest trials with nothing left to do, is the budget's doing, not the coordinator's).

    benchmarks/simulate_utilization.py build/src/cli/hpopt [KIND,...]   # the rows of these optimizers only
"""
import csv
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

GENERATIONAL = {"kind": "evolution", "mode": "generational"}
ROWS = [  # optimizer, groups, trials, median trial time (s), spread
    ({"kind": "random"}, 1024, 10000, 60, 0.5),
    ({"kind": "random"}, 1024, 10000, 10, 0.5),
    (GENERATIONAL, 1024, 10000, 60, 0.5),
    (GENERATIONAL, 1024, 10000, 10, 0.5),
    ({"kind": "evolution"}, 1024, 10000, 60, 0.5),  # steady state, the default with several groups
    ({"kind": "evolution"}, 1024, 10000, 10, 0.5),
    ({"kind": "cmaes"}, 1024, 10000, 60, 0.5),
    ({"kind": "cmaes"}, 1024, 10000, 10, 0.5),
    ({"kind": "bayes"}, 1024, 10000, 60, 0.5),
    ({"kind": "bayes"}, 1024, 10000, 10, 0.5),
    ({"kind": "bayes"}, 16, 1000, 0.05, 0.0),
]


def spec(optimizer):
    return {"name": "simulate", "seed": 1,
            "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 7)},
            "optimizer": optimizer, "budget": {"trials": 1},
            "workload": {"plugin": "analytic", "function": "hartmann6"}}


def busy_while_handing_out(run, groups):
    """Busy group-seconds over available ones until the last trial was handed out."""
    with open(os.path.join(run, "journal.jsonl")) as f:
        records = [json.loads(line) for line in f]
    times = [datetime.datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp() for r in records]
    last = max(t for t, r in zip(times, records) if r["event"] == "trial_suggested") - times[0]
    with open(os.path.join(run, "results.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    busy = sum(max(0.0, min(float(r["started_s"]) + float(r["duration_s"]), last) - float(r["started_s"])) for r in rows)
    return busy / (groups * last) if last > 0 else 0.0


def main():
    hpopt = os.path.abspath(sys.argv[1])
    kinds = sys.argv[2].split(",") if len(sys.argv) > 2 else None
    print("| optimizer | groups | trials | trial time: median, spread | utilization: whole run, while handing out | virtual time | optimizer: model (per suggestion), tell | best | real time |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for optimizer, groups, trials, median_s, spread in ROWS:
            if kinds and optimizer["kind"] not in kinds:
                continue
            with open(os.path.join(work, "spec.json"), "w") as f:
                json.dump(spec(optimizer), f)
            started = time.monotonic()
            done = subprocess.run([hpopt, "simulate", "spec.json", "--groups", str(groups), "--trials", str(trials),
                                   "--trial-time-s", str(median_s), "--spread", str(spread), "--output", "run", "--force"],
                                  cwd=work, capture_output=True, text=True, check=True)
            real_s = time.monotonic() - started
            line = next(l for l in done.stdout.splitlines() if l.startswith("simulated "))
            found = re.search(r"for (.+) of virtual time \(optimizer: \d+ suggestions in (.+) s \((.+) ms each\), telling (.+) s\): "
                              r"utilization (.+)%, best hartmann6 (\S+)", line)
            virtual, model, each, tell, utilization, best = found.groups()
            handing_out = busy_while_handing_out(os.path.join(work, "run"), groups)
            print(f"| `{json.dumps(optimizer)}` | {groups} | {trials} | {median_s} s, {spread} | {utilization}%, {100 * handing_out:.1f}% | {virtual} | {model} s ({each} ms each), {tell} s | "
                  f"{float(best):.4f} | {real_s:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
