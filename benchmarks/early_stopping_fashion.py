#!/usr/bin/env python3
"""Early stopping on real training (benchmark 2 of issue 20): the quickstart's Fashion-MNIST
MLP space, trials of up to 9 epochs, Bayesian optimization on 2 groups (mpirun -np 3), the
same wall time for each search (budget.wall_time_s), with and without ASHA (stop, reduction
factor 3: rungs at epochs 1, 3 and 9), three seeds each. For each seed: the best validation
error at the end, and when the ASHA search first matched the final best of the search without
it.

    benchmarks/early_stopping_fashion.py build/src/cli/hpopt [wall_time_s] [seeds]
"""
import datetime
import os
import statistics
import sys
import tempfile

from mpi_search import run_search



def spec(seed, wall_time_s, early_stopping):
    document = {
        "name": "fashion-es", "seed": seed,
        "space": {"lr": {"type": "real", "low": 1e-4, "high": 0.3, "log": True},
                  "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]},
                  "layers": {"type": "int", "low": 1, "high": 3},
                  "width": {"type": "int", "low": 32, "high": 512, "log": True},
                  "dropout": {"type": "real", "low": 0, "high": 0.5}},
        "optimizer": {"kind": "bayes"},
        "budget": {"trials": 100000, "wall_time_s": wall_time_s, "grace_s": 5},
        "layout": {"groups": 2},
        "training": {"epochs": 9, "batch_size": 64, "momentum": 0.9, "fom": "validation_error"},
        "workload": {"plugin": "fashion_mlp",
                     "data": {"format": "idx", "path": "/usr/share/datasets/fashion-mnist", "subset": 30000}}}
    if early_stopping:
        document["early_stopping"] = early_stopping
    return document


def seconds(record):
    return datetime.datetime.fromisoformat(record["time"].replace("Z", "+00:00")).timestamp()


def search(hpopt, work, document):
    records = run_search(hpopt, work, document, 3, check=False)  # the wall time ends it with status 3
    start = seconds(records[0])
    best, curve = float("inf"), []  # (seconds, best validation error of a trial trained to its 9 epochs)
    for record in records:
        if record["event"] == "trial_finished" and record["status"] == "ok":
            best = min(best, record["fom"])
            curve.append((seconds(record) - start, best))
    trials = sum(r["event"] == "trial_finished" for r in records)
    stopped = sum(r["event"] == "trial_finished" and r["status"] == "stopped" for r in records)
    return curve, trials, stopped


def main():
    hpopt = os.path.abspath(sys.argv[1])
    wall_time_s = float(sys.argv[2]) if len(sys.argv) > 2 else 300
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print("| seed | without early stopping: best, trials | ASHA: best, trials (stopped) | ASHA matched the other's final best after |")
    print("|---|---|---|---|")
    ratios = []
    with tempfile.TemporaryDirectory() as work:
        for seed in range(1, seeds + 1):
            plain, plain_trials, _ = search(hpopt, work, spec(seed, wall_time_s, None))
            asha, asha_trials, stopped = search(hpopt, work, spec(seed, wall_time_s, {"kind": "asha", "reduction_factor": 3}))
            target = plain[-1][1]
            reached = next((t for t, best in asha if best <= target), None)
            ratios.append(reached / wall_time_s if reached is not None else float("inf"))
            print(f"| {seed} | {target:.4f}, {plain_trials} | {asha[-1][1]:.4f}, {asha_trials} ({stopped}) | "
                  f"{f'{reached:.0f} s ({reached / wall_time_s:.0%} of the wall time)' if reached is not None else 'never'} |",
                  flush=True)
    print(f"\nmedian share of the wall time ASHA needed: {statistics.median(ratios):.0%}")


if __name__ == "__main__":
    main()
