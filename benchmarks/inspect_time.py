#!/usr/bin/env python3
"""What looking at a big run costs: `hpopt status`, `export` and `report` on runs of 1,000 and
10,000 trials of 3 folds (random search on Levy, in one process), the size of report.html and
timeline.json, and headless Chromium's time to render the page when it is installed. Prints a
Markdown table.

    benchmarks/inspect_time.py build/src/cli/hpopt [--repeats 3]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def timed(command, repeats, cwd):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    hpopt = os.path.abspath(args.hpopt)
    chromium = shutil.which("chromium")
    print("| trials | journal | status | export csv | report | report.html | timeline.json | Chromium renders the page |")
    print("|---|---|---|---|---|---|---|---|")
    for trials in (1000, 10000):
        with tempfile.TemporaryDirectory() as work:
            spec = {"name": "levy", "seed": 1, "optimizer": {"kind": "random"}, "budget": {"trials": trials},
                    "layout": {"folds": 3}, "workload": {"plugin": "analytic", "function": "levy"},
                    "space": {f"x{i}": {"type": "real", "low": -10, "high": 10} for i in range(1, 5)}}
            with open(os.path.join(work, "spec.json"), "w") as f:
                json.dump(spec, f)
            subprocess.run([hpopt, "run", "spec.json", "--output", "run"], check=True, capture_output=True, cwd=work)
            size = lambda name: os.path.getsize(os.path.join(work, "run", name)) / 1e6
            status = timed([hpopt, "status", "run"], args.repeats, work)
            export = timed([hpopt, "export", "run"], args.repeats, work)
            report = timed([hpopt, "report", "run"], args.repeats, work)
            render = "not installed"
            if chromium:
                page = "file://" + os.path.join(work, "run", "report.html")
                seconds = timed([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + work + "/c",
                                 "--screenshot=" + work + "/shot.png", "--window-size=1100,4000", page], 1, work)
                render = f"{seconds:.1f} s"
            print(f"| {trials:,} | {size('journal.jsonl'):.1f} MB | {status:.2f} s | {export:.2f} s | {report:.2f} s "
                  f"| {size('report.html'):.1f} MB | {size('timeline.json'):.1f} MB | {render} |")
    start_up = timed([hpopt, "--version"], args.repeats, ".")
    print(f"\nOf each command's time, {start_up:.2f} s is the program's start (`hpopt --version`); reading the "
          "journal and writing the files take the rest.")


if __name__ == "__main__":
    main()
