#!/usr/bin/env python3
"""Regret against virtual wall time (issue 21): does a search on 1,024 groups find better points
sooner than one on 64? `hpopt simulate` runs Bayesian optimization on Hartmann6 with trials of a
lognormal time (median 60 s, spread 0.5), the optimizer's work at its real cost on this machine,
for about four rounds of trials on each size; the table gives the median over seeds of the best
regret found by each time (from the journal's virtual stamps).

    benchmarks/simulate_regret_time.py build/src/cli/hpopt [--seeds 3]
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import tempfile

HARTMANN6_MINIMUM = -3.32237
RUNS = [(64, 256), (1024, 4096)]  # groups, trials: four rounds each
TIMES_MIN = [1.5, 2, 2.5, 3, 3.5, 4, 5]


def spec(seed):
    return {"name": "regret", "seed": seed,
            "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 7)},
            "optimizer": {"kind": "bayes"}, "budget": {"trials": 1},
            "workload": {"plugin": "analytic", "function": "hartmann6"}}


def regret_by_time(run):
    """(virtual seconds since the start, best regret so far) at each finished trial."""
    with open(os.path.join(run, "journal.jsonl")) as f:
        records = [json.loads(line) for line in f]
    stamp = lambda r: datetime.datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp()
    start = stamp(records[0])
    best, curve = float("inf"), []
    for r in records:
        if r["event"] == "trial_finished" and r["status"] == "ok":
            best = min(best, r["fom"] - HARTMANN6_MINIMUM)
            curve.append((stamp(r) - start, best))
    return curve


def at(curve, seconds):
    found = [regret for t, regret in curve if t <= seconds]
    return found[-1] if found else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    hpopt = os.path.abspath(args.hpopt)
    curves = {}
    with tempfile.TemporaryDirectory() as work:
        for groups, trials in RUNS:
            for seed in range(1, args.seeds + 1):
                with open(os.path.join(work, "spec.json"), "w") as f:
                    json.dump(spec(seed), f)
                subprocess.run([hpopt, "simulate", "spec.json", "--groups", str(groups), "--trials", str(trials),
                                "--trial-time-s", "60", "--spread", "0.5", "--output", "run", "--force"],
                               cwd=work, capture_output=True, text=True, check=True)
                curves.setdefault(groups, []).append(regret_by_time(os.path.join(work, "run")))
    print("| virtual time | " + " | ".join(f"{g} groups: median regret" for g, _ in RUNS) + " |")
    print("|---|" + "---|" * len(RUNS))
    for minutes in TIMES_MIN:
        cells = [statistics.median(at(c, 60 * minutes) for c in curves[g]) for g, _ in RUNS]
        print(f"| {minutes} min | " + " | ".join(f"{v:.3g}" for v in cells) + " |")


if __name__ == "__main__":
    main()
