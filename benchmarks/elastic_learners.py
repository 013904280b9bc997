#!/usr/bin/env python3
"""The KAVG/MAVG seed's elastic-learner question on Fashion-MNIST: four learner schedules of an
all-reduce team of 2 workers (P0 = 1 and P1 = 2 active workers; constant P0, P0 then P1, P1 then
P0, constant P1), each training the same model for the same epochs with the same base rate,
scaled by the active ranks (linear scaling rule, one warm-up epoch whenever learners are added).
Prints the validation and test accuracy at the end and the trial's wall time, one run each.

    benchmarks/elastic_learners.py build/src/cli/hpopt --epochs 4 --subset 12000
"""
import argparse
import json
import os
import subprocess
import tempfile

SCHEDULES = {
    "constant P0 = 1": [{"epoch": 0, "workers": 1}],
    "P0 then P1 (from epoch 2)": [{"epoch": 0, "workers": 1}, {"epoch": 2, "workers": 2}],
    "P1 then P0 (from epoch 2)": [{"epoch": 0, "workers": 2}, {"epoch": 2, "workers": 1}],
    "constant P1 = 2": [{"epoch": 0, "workers": 2}],
}
ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")


def run(hpopt, schedule, args, directory):
    spec = {"name": "elastic", "seed": 1, "space": {"lr": {"type": "categorical", "choices": [args.lr]}},
            "optimizer": {"kind": "random"}, "budget": {"trials": 1},
            "layout": {"groups": 1, "folds": 1, "workers": 2},
            "training": {"epochs": args.epochs, "batch_size": 32, "momentum": 0.9, "fom": "validation_error",
                         "lr_scaling": "linear", "warmup_epochs": 1, "learner_schedule": schedule},
            "workload": {"plugin": "fashion_mlp", "layers": 2, "width": 128, "data": {"subset": args.subset}}}
    with open(os.path.join(directory, "spec.json"), "w") as f:
        json.dump(spec, f)
    subprocess.run(["mpirun", "-np", "3", hpopt, "run", "spec.json", "--output", "run", "--force"], cwd=directory,
                   env=ENVIRONMENT, check=True, capture_output=True)
    with open(os.path.join(directory, "run", "journal.jsonl")) as f:
        finished = [r for r in map(json.loads, f) if r["event"] == "trial_finished"][0]
    with open(os.path.join(directory, "run", "test.json")) as f:
        test = json.load(f)
    return 1 - finished["fom"], test["test_accuracy"], finished["duration_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hpopt")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--subset", type=int, default=12000)
    parser.add_argument("--lr", type=float, default=0.02)
    args = parser.parse_args()
    print(f"{args.epochs} epochs on {args.subset} training images, base rate {args.lr}, batch 32 per rank.\n")
    print("| schedule | validation accuracy | test accuracy | wall time |")
    print("|---|---|---|---|")
    for name, schedule in SCHEDULES.items():
        with tempfile.TemporaryDirectory(prefix="hpopt_elastic_") as directory:
            validation, test, seconds = run(os.path.abspath(args.hpopt), schedule, args, directory)
        print(f"| {name} | {validation:.4f} | {test:.4f} | {seconds:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
