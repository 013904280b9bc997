#!/usr/bin/env python3
"""What a Bayesian optimizer should learn from a trial that early stopping stopped (issue 20):
the FoM it was stopped at (early_stopping.tell_stopped "fom", as if it were final), nothing
("nothing": as of a failed trial), or every trial's FoM at each rung with its epoch ("rungs":
the model is fitted at the highest rung enough trials reached, as BOHB does), with ASHA stopping
and promoting. Hartmann6 along the analytic workload's learning curves (27
epochs of 10 ms, curve_gap 1), Bayesian optimization on 4 groups (mpirun -np 5), ASHA (reduction
factor 3), a budget of 540 epochs (20 full trials), against the same search without early
stopping. The regret of the best trial trained to its last epoch, over seeds.

    benchmarks/early_stopping_tell.py build/src/cli/hpopt [seeds]
"""
import os
import statistics
import sys
import tempfile

from mpi_search import run_search

MINIMUM = -3.32237
WAYS = {"no early stopping": None,
        "ASHA, stopped trials told their FoM": {"kind": "asha", "tell_stopped": "fom"},
        "ASHA, stopped trials told nothing": {"kind": "asha", "tell_stopped": "nothing"},
        "ASHA, every rung told (BOHB's model)": {"kind": "asha", "tell_stopped": "rungs"},
        "ASHA promote, paused trials told their FoM": {"kind": "asha", "mode": "promote", "tell_stopped": "fom"},
        "ASHA promote, every rung told": {"kind": "asha", "mode": "promote", "tell_stopped": "rungs"}}


def spec(seed, early_stopping):
    document = {"name": "tell", "seed": seed,
                "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 7)},
                "optimizer": {"kind": "bayes", "initial_points": 8}, "budget": {"epochs": 540}, "layout": {"groups": 4},
                "workload": {"plugin": "analytic", "function": "hartmann6", "epochs": 27, "curve_gap": 1,
                             "duration_s": {"distribution": "fixed", "value": 0.01}}}
    if early_stopping:
        document["early_stopping"] = early_stopping
    return document


def final_regret(hpopt, work, document):
    records = run_search(hpopt, work, document, 5)
    full = [r["fom"] for r in records if r["event"] == "trial_finished" and r["status"] == "ok"]
    trials = sum(r["event"] == "trial_finished" for r in records)
    return (min(full) - MINIMUM if full else float("inf")), trials


def main():
    hpopt = os.path.abspath(sys.argv[1])
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print("| search | final regret, median (quartiles) | trials, median |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for way, early_stopping in WAYS.items():
            runs = [final_regret(hpopt, work, spec(seed, early_stopping)) for seed in range(seeds)]
            regrets = [regret for regret, _ in runs]
            quartiles = statistics.quantiles(regrets, n=4)
            print(f"| {way} | {statistics.median(regrets):.4f} ({quartiles[0]:.4f}-{quartiles[2]:.4f}) | "
                  f"{statistics.median(trials for _, trials in runs):.0f} |", flush=True)


if __name__ == "__main__":
    main()
