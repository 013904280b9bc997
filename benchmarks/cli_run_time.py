#!/usr/bin/env python3
"""Wall-clock time of whole `hpopt run` processes (start-up, search, journal with fsync,
results files), and the best FoM each found. Prints a Markdown table.

    benchmarks/cli_run_time.py build/src/cli/hpopt configs/branin-200.json [--runs 10]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print("| spec | trials | runs | median wall time | slowest | best FoM (median) |")
    print("|---|---|---|---|---|---|")
    for spec in args.specs:
        times, bests, trials = [], [], 0
        with tempfile.TemporaryDirectory() as out:
            for run in range(args.runs):
                run_dir = os.path.join(out, str(run))
                start = time.perf_counter()
                subprocess.run([args.hpopt, "run", spec, "--output", run_dir], check=True, capture_output=True)
                times.append(time.perf_counter() - start)
                with open(os.path.join(run_dir, "best.json")) as f:
                    bests.append(json.load(f)["fom"])
                with open(os.path.join(run_dir, "results.csv")) as f:
                    trials = sum(1 for _ in f) - 1
        print(f"| {spec} | {trials} | {args.runs} | {statistics.median(times):.3f} s | {max(times):.3f} s "
              f"| {statistics.median(bests):.4g} |")


if __name__ == "__main__":
    main()
