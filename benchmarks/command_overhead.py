#!/usr/bin/env python3
"""What a trial run as a program costs (the command workload): 1,000 trials of a program that
only prints its result, on 16 groups under mpirun, against the same search with the in-process
analytic workload; and one process alone. Per-trial overhead is the groups' time per trial:
elapsed x groups / trials.

    benchmarks/command_overhead.py build/src/cli/hpopt [--trials 1000] [--groups 16]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
WORKLOADS = {
    "command: /bin/echo its result": {"plugin": "command", "command": ["/bin/echo", '{{"fom": {x1}}}']},
    "command: python3 -c (interpreter start-up)": {"plugin": "command",
                                                   "command": ["python3", "-c", 'print(\'{{"fom": {x1}}}\')']},
    "analytic, in the process": {"plugin": "analytic", "function": "ackley", "dimensions": 1},
}


def run(hpopt, workload, groups, trials, work):
    spec = {"seed": 1, "space": {"x1": {"type": "real", "low": 0, "high": 1}}, "optimizer": {"kind": "random"},
            "budget": {"trials": trials}, "layout": {"groups": groups}, "workload": workload}
    with open(os.path.join(work, "spec.json"), "w") as f:
        json.dump(spec, f)
    command = [hpopt, "run", "spec.json", "--output", "run", "--force"]
    if groups > 1:
        command = ["mpirun", "-np", str(groups + 1)] + command
    started = time.monotonic()
    subprocess.run(command, cwd=work, env=ENVIRONMENT, check=True, capture_output=True)
    wall = time.monotonic() - started
    with open(os.path.join(work, "run", "journal.jsonl")) as f:
        summary = [json.loads(line) for line in f][-1]["summary"]
    assert summary["trials"] == trials and summary["failed"] == 0, summary
    return summary["elapsed_s"], wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=16)
    args = parser.parse_args()
    hpopt = os.path.abspath(args.hpopt)
    print("| workload | groups | trials | search time | per trial (groups x time / trials) | whole command |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for groups in (args.groups, 1):
            for name, workload in WORKLOADS.items():
                elapsed, wall = run(hpopt, workload, groups, args.trials, work)
                print(f"| {name} | {groups} | {args.trials} | {elapsed:.2f} s | {1e3 * elapsed * groups / args.trials:.2f} ms | {wall:.1f} s |",
                      flush=True)


if __name__ == "__main__":
    main()
