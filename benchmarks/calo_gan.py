#!/usr/bin/env python3
"""The calorimeter GAN configs of issue 8, as Markdown for BENCHMARKS.md: each shipped
configs/calo_gan_*.json run whole under mpirun (4 ranks: the coordinator, one EASGD master,
two workers), with its wall time, the best trial's physics distance after each epoch, on the
test set, and the training speed.

    benchmarks/calo_gan.py BUILD_DIR
"""
import argparse
import datetime
import json
import os
import subprocess
import tempfile
import time

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(hpopt, config, directory):
    started = time.monotonic()
    subprocess.run(["mpirun", "-np", "4", hpopt, "run", os.path.join(ROOT, "configs", config), "--output", directory],
                   check=True, capture_output=True, text=True, env=ENVIRONMENT)
    seconds = time.monotonic() - started
    with open(os.path.join(directory, "journal.jsonl")) as f:
        records = [json.loads(line) for line in f]
    with open(os.path.join(directory, "test.json")) as f:
        test = json.load(f)
    return seconds, records, test


def seconds_per_epoch(records, trial):
    times = [datetime.datetime.fromisoformat(r["time"].rstrip("Z")) for r in records
             if r["event"] == "epoch_finished" and r["trial"] == trial]
    return (times[-1] - times[0]).total_seconds() / (len(times) - 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build")
    options = parser.parse_args()
    hpopt = os.path.join(os.path.abspath(options.build), "src", "cli", "hpopt")
    print("Each config as shipped: 600 simulated showers (480 training, 120 validation, 200 test), 6 epochs, "
          "batch 16 per worker, EASGD with 1 master + 2 workers, 12 trials; 4 ranks on 2 cores.\n")
    print("| config | wall time | failed | best trial: FoM after epochs 1..6 | best test FoM | s per epoch | "
          "training showers/s |\n|---|---|---|---|---|---|---|")
    for config in ("calo_gan_bo.json", "calo_gan_evolution.json"):
        with tempfile.TemporaryDirectory(prefix="hpopt_calo_gan_") as directory:
            seconds, records, test = run(hpopt, config, os.path.join(directory, "run"))
        finished = [r for r in records if r["event"] == "trial_finished"]
        best = test["trial"]
        curve = next(r["epoch_foms"][0] for r in finished if r["trial"] == best)
        failed = sum(r["status"] != "ok" for r in finished)
        epoch = seconds_per_epoch(records, best)
        print(f"| {config} | {seconds / 60:.1f} min | {failed} | {' '.join(f'{f:.3f}' for f in curve)} | "
              f"{test['test_physics_distance']:.3f} | {epoch:.1f} | {480 / epoch:.0f} |")


if __name__ == "__main__":
    main()
