#!/usr/bin/env python3
"""How long hpopt takes to notice a fault, and what the journal then says: a workload that
ignores its deadline, a group that falls silent, under mpirun (2 groups of Branin trials of
0.1 s, trial 2 stuck on its first run); a spec nested 100,000 levels deep and one with a key
twice. Prints a Markdown table.

    benchmarks/fault_detection.py build/src/cli/hpopt
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")


def spec(budget):
    return {"name": "faults", "seed": 5,
            "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15}},
            "optimizer": {"kind": "random"}, "budget": dict({"trials": 8, "max_retries": 1}, **budget),
            "layout": {"groups": 2},
            "workload": {"plugin": "analytic", "function": "branin",
                         "duration_s": {"distribution": "fixed", "value": 0.1}, "hang_trials": [2]}}


def seconds(record):
    return datetime.datetime.fromisoformat(record["time"].replace("Z", "+00:00")).timestamp()


def hung_group(hpopt, work, fault, budget):
    with open(os.path.join(work, "spec.json"), "w") as f:
        json.dump(spec(budget), f)
    start = time.monotonic()
    done = subprocess.run(["mpirun", "-np", "3", hpopt, "run", "spec.json", "--output", fault, "--force"], cwd=work,
                          env=ENVIRONMENT, capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - start
    with open(os.path.join(work, fault, "journal.jsonl")) as f:
        records = [json.loads(line) for line in f]
    suggested = next(r for r in records if r["event"] == "trial_suggested" and r["trial"] == 2)
    lost = next(r for r in records if r["event"] == "group_lost")
    finished = [r["trial"] for r in records if r["event"] == "trial_finished"]
    whole = sorted(finished) == list(range(8))
    return (f"{seconds(lost) - seconds(suggested):.1f} s after the trial started",
            f"group_lost: \"{lost['reason']}\"; trial 2 retried on the other group; the 8 trials finished once each: "
            f"{'yes' if whole else 'NO'}; exit {done.returncode} after {wall:.1f} s (MPI_Abort)")


def bad_spec(hpopt, work, name, text):
    with open(os.path.join(work, name), "w") as f:
        f.write(text)
    start = time.monotonic()
    done = subprocess.run([hpopt, "run", name, "--output", "never"], cwd=work, capture_output=True, text=True)
    message = done.stderr.strip()
    if len(message) > 100:
        message = message[:60] + " ... " + message[-40:]
    return f"{1e3 * (time.monotonic() - start):.0f} ms", f"exit {done.returncode}: `{message}`; nothing written"


def main():
    hpopt = os.path.abspath(sys.argv[1])
    rows = []
    with tempfile.TemporaryDirectory() as work:
        rows.append(("a workload ignoring its deadline (trial_timeout_s 2, grace_s 2)",
                     *hung_group(hpopt, work, "deadline", {"trial_timeout_s": 2, "grace_s": 2})))
        rows.append(("a group silent (no deadline; silence_limit_s 3)",
                     *hung_group(hpopt, work, "silent", {"silence_limit_s": 3})))
        rows.append(("a spec nested 100,000 levels deep",
                     *bad_spec(hpopt, work, "deep.json", '{"space": ' + '{"a": ' * 100000 + "1" + "}" * 100000 + "}")))
        twice = json.dumps(spec({}))
        rows.append(("a spec with two \"space\" objects",
                     *bad_spec(hpopt, work, "twice.json", twice[:-1] + ', "space": {}}')))
    print("| fault | noticed | what happens |")
    print("|---|---|---|")
    for fault, noticed, what in rows:
        print(f"| {fault} | {noticed} | {what} |")


if __name__ == "__main__":
    main()
