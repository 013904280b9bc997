#!/usr/bin/env python3
"""The example PyTorch script (examples/pytorch-script) run by hand against the same script run
by hpopt as a "command" trial, in one process: seconds per run, the median of --repeats.

    benchmarks/pytorch_script_throughput.py build/src/cli/hpopt [--repeats 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "examples", "pytorch-script", "train_fashion.py")
PYTHON = "/usr/bin/python3"  # Debian's, with python3-torch
ARGUMENTS = ["--lr", "0.05", "--width", "64", "--epochs", "3"]


def timed(command, cwd):
    started = time.monotonic()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        by_hand = [timed([PYTHON, SCRIPT, *ARGUMENTS], work) for _ in range(args.repeats)]
        spec = {"seed": 1, "space": {"x": {"type": "real", "low": 0, "high": 1}},  # unused: the same run each trial
                "optimizer": {"kind": "random"}, "budget": {"trials": args.repeats},
                "workload": {"plugin": "command", "command": [PYTHON, SCRIPT, *ARGUMENTS]}}
        with open(os.path.join(work, "spec.json"), "w") as f:
            json.dump(spec, f)
        subprocess.run([os.path.abspath(args.hpopt), "run", "spec.json", "--output", "run"], cwd=work, check=True, capture_output=True)
        with open(os.path.join(work, "run", "journal.jsonl")) as f:
            durations = [r["duration_s"] for r in map(json.loads, f) if r["event"] == "trial_finished"]
    hand, hpopt = statistics.median(by_hand), statistics.median(durations)
    print("| run | seconds per run (median) |")
    print("|---|---|")
    print(f"| by hand: `python3 train_fashion.py {' '.join(ARGUMENTS)}` | {hand:.2f} s |")
    print(f"| by hpopt, as a command trial | {hpopt:.2f} s ({100 * (hpopt / hand - 1):+.1f}%) |")


if __name__ == "__main__":
    main()
