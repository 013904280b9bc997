#!/usr/bin/env python3
"""Early stopping on analytic learning curves (benchmark 1 of issue 20): Hartmann6 trials of 27
epochs of 10 ms along the analytic workload's crossing curves (curve_gap 1, and 3 where early
FoMs mislead more), random search on 16 groups (mpirun -np 17), the same budget in epochs for
every method: no early stopping, ASHA (reduction factor 3, rungs 1, 3, 9) stopping and
promoting, Hyperband (3 ASHA brackets, first rungs 1, 3 and 9) and the median rule. For each seed the regret (final
value minus Hartmann6's minimum, -3.32237) of the best trial trained to its last epoch, and how
many epochs each early-stopping search had spent when it first matched the median final regret
of the searches without early stopping.

    benchmarks/early_stopping.py build/src/cli/hpopt [seeds]
"""
import os
import statistics
import sys
import tempfile

from mpi_search import run_search

MINIMUM = -3.32237
EPOCHS = 27
BUDGET = 1620  # epochs: 60 full trials
METHODS = {"none": None, "asha": {"kind": "asha", "reduction_factor": 3},
           "asha promote": {"kind": "asha", "reduction_factor": 3, "mode": "promote"},
           "hyperband": {"kind": "hyperband", "reduction_factor": 3, "brackets": 3},
           "median": {"kind": "median", "min_epochs": 3}}


def spec(seed, curve_gap, early_stopping):
    document = {"name": "es", "seed": seed,
                "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 7)},
                "optimizer": {"kind": "random"}, "budget": {"epochs": BUDGET}, "layout": {"groups": 16},
                "workload": {"plugin": "analytic", "function": "hartmann6", "epochs": EPOCHS, "curve_gap": curve_gap,
                             "duration_s": {"distribution": "fixed", "value": 0.01}}}
    if early_stopping:
        document["early_stopping"] = early_stopping
    return document


def regret_by_epochs(records):
    """(epochs spent, best regret so far among trials trained to their last epoch), as the run went."""
    spent, best, curve = 0, float("inf"), []
    for record in records:
        if record["event"] == "epoch_finished":
            spent += 1
        elif record["event"] == "trial_finished" and record["status"] == "ok":
            best = min(best, record["fom"] - MINIMUM)
            curve.append((spent, best))
    return curve, spent


def final_regret(records):
    curve = regret_by_epochs(records)[0]
    return curve[-1][1] if curve else float("inf")


def epochs_to_reach(curve, regret):
    return next((spent for spent, best in curve if best <= regret), None)


def main():
    hpopt = os.path.abspath(sys.argv[1])
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    print("| curves | method | final regret, median (quartiles) | trials | stopped | epochs to the no-early-stopping median regret, median (share of the budget) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for curve_gap in (1, 3):
            runs = {method: [run_search(hpopt, work, spec(seed, curve_gap, rule), 17) for seed in range(seeds)]
                    for method, rule in METHODS.items()}
            finals = {method: [final_regret(records) for records in records_list] for method, records_list in runs.items()}
            target = statistics.median(finals["none"])
            for method, records_list in runs.items():
                quartiles = statistics.quantiles(finals[method], n=4)
                trials = statistics.median(sum(r["event"] == "trial_finished" for r in records) for records in records_list)
                stopped = statistics.median(sum(r["event"] == "trial_finished" and r["status"] == "stopped" for r in records)
                                            for records in records_list)
                reached = [epochs_to_reach(regret_by_epochs(records)[0], target) for records in records_list]
                reached_text = "-"
                if method != "none":
                    spent = [e if e is not None else float("inf") for e in reached]
                    middle = statistics.median(spent)
                    reached_text = (f"{middle:.0f} ({middle / BUDGET:.0%}); not within the budget in "
                                    f"{sum(e is None for e in reached)} of {seeds}" if middle != float("inf") else
                                    f"not reached in {sum(e is None for e in reached)} of {seeds}")
                print(f"| hartmann6, curve_gap {curve_gap} | {method} | {statistics.median(finals[method]):.4f} "
                      f"({quartiles[0]:.4f}-{quartiles[2]:.4f}) | {trials:.0f} | {stopped:.0f} | {reached_text} |", flush=True)


if __name__ == "__main__":
    main()
