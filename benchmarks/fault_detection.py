#!/usr/bin/env python3
"""How long hpopt takes to notice a fault, what the journal then says, and whether any
finished trial was lost or run twice: a workload that ignores its deadline and a group that
falls silent (under mpirun, 2 groups of Branin trials of 0.1 s, trial 2 stuck on its first run,
and in one process), one rank of a team that throws or hangs (teams of 2 ranks stepping
together), kill -9 of the job, SIGTERM, a torn journal, a spec nested 100,000 levels deep and
one with a key twice. Prints a Markdown table.

    benchmarks/fault_detection.py build/src/cli/hpopt
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")


def spec(budget, trials=8, layout=None, **workload):
    return {"name": "faults", "seed": 5,
            "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15}},
            "optimizer": {"kind": "random"}, "budget": dict({"trials": trials, "max_retries": 1}, **budget),
            "layout": layout or {"groups": 2},
            "workload": dict({"plugin": "analytic", "function": "branin",
                              "duration_s": {"distribution": "fixed", "value": 0.1}}, **workload)}


def seconds(record):
    return datetime.datetime.fromisoformat(record["time"].replace("Z", "+00:00")).timestamp()


def read_records(work, run):
    with open(os.path.join(work, run, "journal.jsonl")) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def records_so_far(work, run):
    try:
        return read_records(work, run)
    except OSError:
        return []


def each_once(records, trials):
    finished = sorted(r["trial"] for r in records if r["event"] == "trial_finished")
    return "yes" if finished == list(range(trials)) else f"NO ({finished})"


def run(hpopt, work, run_spec, output, ranks=None):
    with open(os.path.join(work, output + ".json"), "w") as f:
        json.dump(run_spec, f)
    command = ([] if ranks is None else ["mpirun", "-np", str(ranks)]) + [hpopt, "run", output + ".json", "--output", output]
    start = time.monotonic()
    done = subprocess.run(command, cwd=work, env=ENVIRONMENT, capture_output=True, text=True, timeout=300)
    return done, time.monotonic() - start


def resume(hpopt, work, output, ranks=None):
    command = ([] if ranks is None else ["mpirun", "-np", str(ranks)]) + [hpopt, "resume", output]
    return subprocess.run(command, cwd=work, env=ENVIRONMENT, capture_output=True, text=True, timeout=300)


def hung_group(hpopt, work, fault, budget, ranks=3, layout=None, **workload):
    done, wall = run(hpopt, work, spec(budget, layout=layout, hang_trials=[2], **workload), fault, ranks)
    records = read_records(work, fault)
    suggested = next(r for r in records if r["event"] == "trial_suggested" and r["trial"] == 2)
    lost = next(r for r in records if r["event"] == "group_lost")
    how = "MPI_Abort" if ranks else "std::_Exit"
    if ranks:
        what = f"trial 2 retried on the other group; the 8 trials finished once each: {each_once(records, 8)}"
    else:
        again = resume(hpopt, work, fault)
        what = f"hpopt resume (exit {again.returncode}) ran trial 2's second attempt; the 8 trials finished once each: " \
               f"{each_once(read_records(work, fault), 8)}"
    return (f"{seconds(lost) - seconds(suggested):.1f} s after the trial started",
            f"group_lost: \"{lost['reason']}\"; {what}; exit {done.returncode} after {wall:.1f} s ({how})")


def team_rank_fault(hpopt, work):
    team_spec = spec({}, layout={"groups": 2, "workers": 2}, team=True, rank_fault_trials=[2], step_s=0.05,
                     duration_s={"distribution": "fixed", "value": 0.4})
    done, wall = run(hpopt, work, team_spec, "rank-fault", ranks=5)
    records = read_records(work, "rank-fault")
    suggested = next(r for r in records if r["event"] == "trial_suggested" and r["trial"] == 2)
    failed = next(r for r in records if r["event"] == "trial_attempt_failed")
    return (f"{seconds(failed) - seconds(suggested):.2f} s after the trial started (the fault at its 4th step of 0.05 s)",
            f"trial_attempt_failed: \"{failed['reason']}\"; every rank of the team left the trial at that step; "
            f"retried; the 8 trials finished once each: {each_once(records, 8)}; exit {done.returncode} after {wall:.1f} s")


def hpopt_pids(work, hpopt):
    """Rank (0 without mpirun) -> pid of the hpopt processes running in `work`."""
    ranks = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd") != os.path.realpath(work):
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().split(b"\0")[0].decode() != hpopt:
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                environment = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
            ranks[int(environment.get(b"OMPI_COMM_WORLD_RANK", b"0"))] = int(pid)
        except (OSError, ValueError):
            continue
    return ranks


def start_and_wait(hpopt, work, run_spec, output, finished, ranks=None):
    """Starts a run and returns it once `finished` trials have finished."""
    with open(os.path.join(work, output + ".json"), "w") as f:
        json.dump(run_spec, f)
    command = ([] if ranks is None else ["mpirun", "-np", str(ranks)]) + [hpopt, "run", output + ".json", "--output", output]
    process = subprocess.Popen(command, cwd=work, env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while sum(r["event"] == "trial_finished" for r in records_so_far(work, output)) < finished:
        time.sleep(0.02)
    return process


def killed_job(hpopt, work):
    slow = spec({}, duration_s={"distribution": "fixed", "value": 0.5})
    process = start_and_wait(hpopt, work, slow, "killed", 3, ranks=3)
    before = {r["trial"] for r in read_records(work, "killed") if r["event"] == "trial_finished"}
    killed = time.monotonic()
    os.kill(hpopt_pids(work, hpopt)[0], signal.SIGKILL)
    process.communicate(timeout=120)
    ended = time.monotonic() - killed
    again = resume(hpopt, work, "killed", ranks=3)
    records = read_records(work, "killed")
    resumed = [r["trial"] for r in records if r["event"] == "trial_resumed"]
    kept = before <= {r["trial"] for r in records if r["event"] == "trial_finished"}
    return (f"mpirun ended the job {ended:.1f} s after the coordinator's SIGKILL",
            f"hpopt resume (exit {again.returncode}): the trials running at the kill ({resumed}) ran again from their start, "
            f"the {len(before)} finished ones kept: {'yes' if kept else 'NO'}; the 8 trials finished once each: "
            f"{each_once(records, 8)}")


def sigterm(hpopt, work):
    slow = spec({}, layout={}, duration_s={"distribution": "fixed", "value": 1.0})
    process = start_and_wait(hpopt, work, slow, "sigterm", 2)
    signalled = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=120)
    ended = time.monotonic() - signalled
    records = read_records(work, "sigterm")
    interrupted = [r["trial"] for r in records if r["event"] == "trial_interrupted"]
    again = resume(hpopt, work, "sigterm")
    return (f"exit {process.returncode} {ended:.2f} s after the signal (trials step every 0.02 s)",
            f"trial_interrupted {interrupted}, run_interrupted; hpopt resume (exit {again.returncode}): "
            f"the 8 trials finished once each: {each_once(read_records(work, 'sigterm'), 8)}")


def torn_journal(hpopt, work):
    slow = spec({}, layout={}, duration_s={"distribution": "fixed", "value": 0.3})
    process = start_and_wait(hpopt, work, slow, "torn", 3)
    process.kill()
    process.communicate()
    with open(os.path.join(work, "torn", "journal.jsonl"), "a") as f:
        f.write('{"event":"trial_finished","trial":3,"status":"ok","fo')  # a write cut short
    start = time.monotonic()
    again = resume(hpopt, work, "torn")
    warning = next((line for line in again.stderr.splitlines() if "torn" in line), "no warning")
    return (f"at once: hpopt resume took {time.monotonic() - start:.2f} s in all",
            f"exit {again.returncode}; `{warning.split(': ', 1)[-1][:80]}`; the 8 trials finished once each: "
            f"{each_once(read_records(work, 'torn'), 8)}")


def bad_spec(hpopt, work, name, text):
    with open(os.path.join(work, name), "w") as f:
        f.write(text)
    start = time.monotonic()
    done = subprocess.run([hpopt, "run", name, "--output", "never"], cwd=work, capture_output=True, text=True)
    message = done.stderr.strip()
    if len(message) > 100:
        message = message[:60] + " ... " + message[-40:]
    return f"{1e3 * (time.monotonic() - start):.0f} ms", f"exit {done.returncode}: `{message}`; nothing written"


def kill_in_second_epoch(hpopt, work, training, output, trial_s):
    """Runs `training`, kills it half way through its second epoch, resumes it; returns the
    seconds trained before the kill, the resumed trial's record and the resume's exit status."""
    process = start_and_wait(hpopt, work, training, output, 0)
    while not any(r["event"] == "epoch_finished" for r in records_so_far(work, output)):
        time.sleep(0.02)
    time.sleep(trial_s / 4)
    process.kill()
    process.communicate()
    suggested = next(r for r in read_records(work, output) if r["event"] == "trial_suggested")
    before = time.time() - seconds(suggested)
    again = resume(hpopt, work, output)
    return before, next(r for r in read_records(work, output) if r["event"] == "trial_finished"), again.returncode


def mid_epoch_kill(hpopt, work):
    """One trial of 2 epochs of about 10 s, killed in its second epoch, with and without
    training.checkpoint_every_s."""
    training = {"name": "mid-epoch", "seed": 3, "space": {"lr": {"type": "real", "low": 0.01, "high": 0.05}},
                "optimizer": {"kind": "random"}, "budget": {"trials": 1},
                "training": {"epochs": 2, "batch_size": 32, "optimizer": "sgd", "momentum": 0.9},
                "workload": {"plugin": "fashion_mlp", "layers": 3, "width": 1024,
                             "data": {"format": "idx", "path": "/usr/share/datasets/fashion-mnist", "test_subset": 100}}}
    run(hpopt, work, training, "straight")
    straight = next(r for r in read_records(work, "straight") if r["event"] == "trial_finished")
    trial_s = straight["duration_s"]
    epoch_end_only = kill_in_second_epoch(hpopt, work, training, "epoch-end", trial_s)
    training["training"]["checkpoint_every_s"] = 1
    before, continued, status = kill_in_second_epoch(hpopt, work, training, "mid-epoch", trial_s)
    same = continued["fom"] == straight["fom"]
    return (f"killed {before:.1f} s into a trial of {trial_s:.1f} s (2 epochs)",
            f"hpopt resume (exit {status}) went on from the last checkpoint inside the epoch: {continued['duration_s']:.1f} s "
            f"more, {before + continued['duration_s']:.1f} s in all (without checkpoint_every_s, from the first epoch's end: "
            f"{epoch_end_only[1]['duration_s']:.1f} s more, {epoch_end_only[0] + epoch_end_only[1]['duration_s']:.1f} s in all); "
            f"the FoM the same as never stopped: {'yes' if same else 'NO'} ({continued['fom']:.6g})")


def main():
    hpopt = os.path.abspath(sys.argv[1])
    rows = []
    with tempfile.TemporaryDirectory() as work:
        rows.append(("a workload ignoring its deadline (trial_timeout_s 2, grace_s 2)",
                     *hung_group(hpopt, work, "deadline", {"trial_timeout_s": 2, "grace_s": 2})))
        rows.append(("the same in one process (no mpirun)",
                     *hung_group(hpopt, work, "deadline-alone", {"trial_timeout_s": 2, "grace_s": 2}, ranks=None, layout={})))
        rows.append(("a group silent (no deadline; silence_limit_s 3)",
                     *hung_group(hpopt, work, "silent", {"silence_limit_s": 3})))
        rows.append(("one rank of a team throws (a GPU out of memory)", *team_rank_fault(hpopt, work)))
        rows.append(("one rank of a team hangs (trial_timeout_s 2, grace_s 2)",
                     *hung_group(hpopt, work, "rank-hang", {"trial_timeout_s": 2, "grace_s": 2}, ranks=5,
                                 layout={"groups": 2, "workers": 2}, team=True)))
        rows.append(("kill -9 of the job (its coordinator) under mpirun", *killed_job(hpopt, work)))
        rows.append(("SIGTERM (one process)", *sigterm(hpopt, work)))
        rows.append(("a torn journal (kill -9, then half a record appended)", *torn_journal(hpopt, work)))
        rows.append(("kill -9 inside a long epoch (all-reduce, training.checkpoint_every_s 1)", *mid_epoch_kill(hpopt, work)))
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
