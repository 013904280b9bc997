"""Integration tests of faults: stop signals and their grace, trials that do not stop in time,
retries of failures that may be transient, and searches killed with SIGKILL at random moments,
in one process and under mpirun, each resumed until nothing finished is lost or repeated.

Usage: fault_test.py PATH_TO_HPOPT [OneProcessTest | MpiTest]  (both by default)
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HPOPT = None
# scripts/test.sh --sanitize sets it: every process is slower there.
TIME_SCALE = float(os.environ.get("HPOPT_TEST_TIME_SCALE", "1"))
ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
INTERRUPTED = 3  # hpopt's exit status for "interrupted, resumable"


def branin(trials, budget=None, layout=None, **workload):
    return {
        "name": "faults",
        "seed": 5,
        "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15}},
        "optimizer": {"kind": "bayes", "initial_points": 4},
        "budget": dict({"trials": trials}, **(budget or {})),
        "layout": layout or {},
        "workload": dict({"plugin": "analytic", "function": "branin"}, **workload),
    }


def fixed(seconds):
    return {"distribution": "fixed", "value": seconds}


class FaultCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="hpopt_fault_test_")
        self.addCleanup(self.dir.cleanup)

    def path(self, *parts):
        return os.path.join(self.dir.name, *parts)

    def write_spec(self, spec):
        with open(self.path("spec.json"), "w") as f:
            json.dump(spec, f)

    def start(self, command):
        return subprocess.Popen(command, cwd=self.dir.name, env=ENVIRONMENT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def hpopt(self, *args, ranks=None):
        command = ([] if ranks is None else ["mpirun", "-np", str(ranks)]) + [HPOPT, *args]
        return subprocess.run(command, cwd=self.dir.name, env=ENVIRONMENT, capture_output=True, text=True, timeout=240 * TIME_SCALE)

    def records(self, run="run"):
        try:
            with open(self.path(run, "journal.jsonl")) as f:
                lines = f.read().split("\n")
        except OSError:
            return []
        return [json.loads(line) for line in lines[:-1]]  # whole lines: the last may be being written

    def events(self, event, run="run"):
        return [r for r in self.records(run) if r["event"] == event]

    def wait_for(self, condition, timeout=60):
        deadline = time.monotonic() + timeout * TIME_SCALE
        while not condition():
            self.assertLess(time.monotonic(), deadline, "waited in vain")
            time.sleep(0.05)

    def check_each_trial_finished_once(self, trials, run="run"):
        finished = [r["trial"] for r in self.events("trial_finished", run)]
        self.assertEqual(sorted(finished), list(range(trials)))


class OneProcessTest(FaultCase):
    def test_sigterm_stops_the_trial_at_its_next_step_and_resume_ends_as_a_run_never_stopped(self):
        self.write_spec(branin(6, duration_s=fixed(0.4)))
        self.assertEqual(self.hpopt("run", "spec.json", "--output", "straight").returncode, 0)
        process = self.start([HPOPT, "run", "spec.json", "--output", "run"])
        self.wait_for(lambda: len(self.events("trial_suggested")) == 3)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30 * TIME_SCALE)
        self.assertLess(time.monotonic() - signalled, 1.0 * TIME_SCALE)  # a step is 20 ms
        self.assertEqual(process.returncode, INTERRUPTED, err)
        self.assertIn("hpopt resume run", out)
        records = self.records()
        self.assertEqual([r["trial"] for r in self.events("trial_interrupted")], [2])
        self.assertEqual(records[-2], dict(records[-2], event="run_interrupted", unfinished_trials=[2]))
        self.assertEqual(records[-1]["stop_reason"], "interrupted")

        done = self.hpopt("resume", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        foms = lambda run: [(r["trial"], r["fom"]) for r in self.events("trial_finished", run)]
        self.assertEqual(sorted(foms("run")), foms("straight"))

    def test_a_second_signal_stops_at_once_leaving_a_resumable_run(self):
        # Steps of 2 s: the first signal is heard only at the end of one.
        self.write_spec(branin(1, duration_s=fixed(2.0), step_s=2.0))
        process = self.start([HPOPT, "run", "spec.json", "--output", "run"])
        self.wait_for(lambda: len(self.events("trial_suggested")) == 1)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        signalled = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30 * TIME_SCALE)
        self.assertLess(time.monotonic() - signalled, 0.5 * TIME_SCALE)
        self.assertEqual(process.returncode, INTERRUPTED)
        self.assertIn("a second stop signal: stopping at once", err)
        self.assertEqual(self.records()[-1]["event"], "trial_suggested")
        done = self.hpopt("resume", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.check_each_trial_finished_once(1)

    def test_a_trial_past_its_deadline_and_the_grace_ends_the_run_resumably(self):
        # The watchdog of one process: the trial's thread never returns, the coordinator's does.
        self.write_spec(branin(6, budget={"trial_timeout_s": 1, "grace_s": 1, "max_retries": 1}, duration_s=fixed(0.1),
                               hang_trials=[2]))
        started = time.monotonic()
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertLess(time.monotonic() - started, 10 * TIME_SCALE)
        self.assertEqual(done.returncode, INTERRUPTED, done.stderr)
        self.assertIn("hpopt resume run", done.stdout)
        lost = self.events("group_lost")
        self.assertEqual([(r["group"], r["trial"]) for r in lost], [(0, 2)])
        self.assertIn("no result 1 s after the trial's deadline of 1 s", lost[0]["reason"])
        self.assertEqual([r["trial"] for r in self.events("trial_attempt_failed")], [2])
        self.assertEqual(self.records()[-1]["stop_reason"], "every group lost")
        again = self.hpopt("resume", "run")  # the trial's second attempt runs normally
        self.assertEqual(again.returncode, 0, again.stderr)
        self.check_each_trial_finished_once(6)

    def test_a_trial_deaf_to_an_interruption_is_left_after_the_grace(self):
        self.write_spec(branin(4, budget={"grace_s": 0.5}, duration_s=fixed(0.1), hang_trials=[1]))
        process = self.start([HPOPT, "run", "spec.json", "--output", "run"])
        self.wait_for(lambda: len(self.events("trial_suggested")) == 2)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30 * TIME_SCALE)
        self.assertLess(time.monotonic() - signalled, 3 * TIME_SCALE)
        self.assertEqual(process.returncode, INTERRUPTED, err)
        self.assertIn("did not stop within the grace of 0.5 s", err)
        self.assertEqual(self.records()[-2]["unfinished_trials"], [1])
        self.assertEqual(self.records()[-1]["stop_reason"], "interrupted")

    def test_an_interrupted_training_goes_on_from_its_checkpoint_and_ends_as_if_never_stopped(self):
        spec = branin(1, layout={"folds": 1})
        spec["space"] = {"lr": {"type": "real", "low": 0.05, "high": 0.1}}
        spec["training"] = {"epochs": 12, "optimizer": "sgd", "fom": "validation_loss"}
        spec["workload"] = {"plugin": "fashion_mlp", "layers": 1, "width": 64, "data": {"subset": 4000, "test_subset": 100}}
        self.write_spec(spec)
        self.assertEqual(self.hpopt("run", "spec.json", "--output", "straight").returncode, 0)
        process = self.start([HPOPT, "run", "spec.json", "--output", "run"])
        self.wait_for(lambda: len(self.events("epoch_finished")) >= 2)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60 * TIME_SCALE)
        self.assertEqual(process.returncode, INTERRUPTED, err)
        [interrupted] = self.events("trial_interrupted")
        stopped_in = int(interrupted["reason"].rsplit(" ", 1)[1])  # "interrupted in epoch N"
        self.assertLess(stopped_in, 12)

        done = self.hpopt("resume", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        epochs = [r["epoch"] for r in self.events("epoch_finished")]
        # Before: 1 .. N-1; after: N .. 12, from the checkpoint (the epochs it reports again are
        # journaled once).
        self.assertEqual(epochs, list(range(1, 13)))
        self.assertIn(f"trial 0 fold 0: going on from its checkpoint after epoch {stopped_in - 1}", done.stderr)
        [straight] = self.events("trial_finished", "straight")
        [resumed] = self.events("trial_finished")
        self.assertEqual(resumed["fom"], straight["fom"])

    def test_transient_failures_run_again_up_to_max_retries_and_verdicts_do_not(self):
        self.write_spec(branin(30, budget={"max_retries": 2}, fault_rate=0.4, failure_rate=0.2))
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.check_each_trial_finished_once(30)
        attempts = self.events("trial_attempt_failed")
        self.assertGreater(len(attempts), 5)
        self.assertTrue(all(r["reason"].startswith("injected fault") for r in attempts))
        retried = self.events("trial_retried")
        self.assertEqual([(r["trial"], r["attempt"]) for r in retried], [(r["trial"], r["attempt"] + 1) for r in attempts])
        finished = {r["trial"]: r for r in self.events("trial_finished")}
        for record in attempts:
            final = finished[record["trial"]]
            if final["status"] == "failed":  # a fault on every attempt, or the verdict after a fault
                self.assertTrue(final["reason"].startswith("injected fault (fault_rate 0.4, attempt 2)")
                                or final["reason"].startswith("injected failure"), final["reason"])
        self.assertTrue(any(finished[r["trial"]]["status"] == "ok" for r in attempts))
        self.assertTrue(any(r.get("reason", "").startswith("injected failure") for r in finished.values()))
        self.assertIn("running it again, attempt 2 of 3", done.stderr)


class MpiTest(FaultCase):
    def hpopt_processes(self):
        """Rank -> pid of this test's hpopt processes."""
        ranks = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.readlink(f"/proc/{pid}/cwd") != os.path.realpath(self.dir.name):
                    continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[0].decode() != HPOPT:
                        continue
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environment = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
                ranks[int(environment[b"OMPI_COMM_WORLD_RANK"])] = int(pid)
            except (OSError, KeyError, ValueError):
                continue  # gone, or not a rank
        return ranks

    def test_sigusr1_interrupts_every_group_and_a_resume_on_more_ranks_finishes_the_search(self):
        self.write_spec(branin(16, layout={"groups": 2}, duration_s=fixed(1.0)))
        process = self.start(["mpirun", "-np", "3", HPOPT, "run", "spec.json", "--output", "run"])
        self.wait_for(lambda: len(self.events("trial_finished")) >= 2)
        process.send_signal(signal.SIGUSR1)  # mpirun passes it on to every rank at once
        _, err = process.communicate(timeout=60 * TIME_SCALE)
        self.assertEqual(process.returncode, INTERRUPTED, err)
        unfinished = self.records()[-2]["unfinished_trials"]
        self.assertEqual(len(unfinished), 2)
        self.assertEqual(sorted(r["trial"] for r in self.events("trial_interrupted")), unfinished)

        done = self.hpopt("resume", "run", ranks=5)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("resuming on 5 ranks: 4 group(s) instead of 2", done.stdout)
        self.assertNotIn("replayed suggestions differed", done.stdout)
        self.check_each_trial_finished_once(16)
        groups = {r["group"] for r in self.records() if r["event"] in ("trial_suggested", "trial_resumed")}
        self.assertEqual(groups, {0, 1, 2, 3})

    def test_trials_that_do_not_stop_within_the_grace_end_the_job_resumably(self):
        # Trials of 8 s: the job's end must come before theirs, and its teardown once took 6.3 s
        # on this shared machine.
        self.write_spec(branin(4, budget={"grace_s": 0.5}, layout={"groups": 2}, duration_s=fixed(8.0), step_s=8.0))
        process = self.start(["mpirun", "-np", "3", HPOPT, "run", "spec.json", "--output", "run"])
        self.wait_for(lambda: len(self.events("trial_suggested")) >= 2)
        time.sleep(0.5)
        signalled = time.monotonic()
        process.send_signal(signal.SIGUSR1)
        _, err = process.communicate(timeout=60 * TIME_SCALE)
        self.assertLess(time.monotonic() - signalled, 7.5 * TIME_SCALE)  # the trials had 7.5 s to go
        self.assertEqual(process.returncode, INTERRUPTED, err)
        self.assertIn("did not stop within the grace of 0.5 s", err)
        self.assertEqual(self.records()[-1]["stop_reason"], "interrupted")
        done = self.hpopt("resume", "run", ranks=3)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.check_each_trial_finished_once(4)

    def check_hung_group_is_given_up(self, budget, reason, bound_s):
        """Trial 2 hangs on its group (a workload that never looks at anything): the group is
        lost, the trial runs again on the other group, the search finishes its trials, and the
        job ends by MPI_Abort with status 3 within `bound_s`; a resume then has nothing to do."""
        self.write_spec(branin(6, budget=dict(budget, max_retries=1), layout={"groups": 2}, duration_s=fixed(0.1),
                               hang_trials=[2]))
        started = time.monotonic()
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=3)
        self.assertLess(time.monotonic() - started, bound_s * TIME_SCALE)
        self.assertEqual(done.returncode, INTERRUPTED, done.stderr)
        lost = self.events("group_lost")
        self.assertEqual(len(lost), 1)
        self.assertEqual(lost[0]["trial"], 2)
        self.assertIn(reason, lost[0]["reason"])
        self.assertIn("gets no more trials", done.stderr)
        failed = self.events("trial_attempt_failed")
        self.assertEqual([r["trial"] for r in failed], [2])
        self.assertIn(reason, failed[0]["reason"])
        retried = self.events("trial_retried")
        self.assertEqual([(r["trial"], r["group"]) for r in retried], [(2, 1 - lost[0]["group"])])
        later = [r for r in self.records() if r["event"] == "trial_suggested" and r["trial"] > 2]
        self.assertNotIn(lost[0]["group"], {r["group"] for r in later})  # no more trials for it
        self.check_each_trial_finished_once(6)
        self.assertEqual(self.records()[-1]["stop_reason"], "trial budget reached")
        status = self.hpopt("status", "run")
        self.assertIn(f"lost (hung) group(s): {lost[0]['group']}", status.stdout)
        self.wait_for(lambda: not self.hpopt_processes(), timeout=30)  # the hung rank went with the job
        again = self.hpopt("resume", "run", ranks=3)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.check_each_trial_finished_once(6)

    def test_a_group_past_its_trials_deadline_and_the_grace_is_lost_and_the_search_finishes(self):
        self.check_hung_group_is_given_up({"trial_timeout_s": 1, "grace_s": 1}, "after the trial's deadline", 40)

    def test_a_silent_group_is_lost_and_the_search_finishes(self):
        self.check_hung_group_is_given_up({"silence_limit_s": 2}, "silent for", 40)

    def test_a_team_whose_one_rank_throws_leaves_the_trial_together_and_the_search_goes_on(self):
        # Teams of 2 ranks stepping together through workload::as_team; trial 2's last rank
        # throws at its 4th step, as a GPU out of memory would.
        self.write_spec(branin(6, budget={"max_retries": 1}, layout={"groups": 2, "workers": 2}, duration_s=fixed(0.3),
                               step_s=0.05, team=True, rank_fault_trials=[2]))
        started = time.monotonic()
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=5)
        self.assertLess(time.monotonic() - started, 60 * TIME_SCALE)
        self.assertEqual(done.returncode, 0, done.stderr)
        failed = self.events("trial_attempt_failed")
        self.assertEqual([(r["trial"], r["reason"]) for r in failed],
                         [(2, "rank 1 of the fold team failed: injected fault on rank 1 at step 4")])
        self.assertEqual(self.events("group_lost"), [])
        self.check_each_trial_finished_once(6)

    def test_a_team_whose_one_rank_hangs_is_given_up_at_the_deadline(self):
        self.write_spec(branin(4, budget={"trial_timeout_s": 1, "grace_s": 1, "max_retries": 1},
                               layout={"groups": 2, "workers": 2}, duration_s=fixed(0.1), team=True, hang_trials=[1]))
        started = time.monotonic()
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=5)
        self.assertLess(time.monotonic() - started, 40 * TIME_SCALE)
        self.assertEqual(done.returncode, INTERRUPTED, done.stderr)
        self.assertEqual([r["trial"] for r in self.events("group_lost")], [1])
        self.check_each_trial_finished_once(4)

    def test_a_rank_killed_at_random_moments_loses_nothing_finished_and_nothing_runs_twice(self):
        # Generational evolution: a generation needs every one of its children told, so a
        # resumed optimizer must hold the very children the journal handed out.
        spec = branin(40, layout={"groups": 4}, duration_s={"distribution": "uniform", "low": 0.1, "high": 0.4})
        spec["optimizer"] = {"kind": "evolution", "mode": "generational", "population": 8}
        self.write_spec(spec)
        rng = random.Random(7)
        finished_before = set()
        kills = 0
        for cycle in range(5):
            records = len(self.records())
            command = ["resume", "run"] if records else ["run", "spec.json", "--output", "run", "--force"]
            process = self.start(["mpirun", "-np", "5", HPOPT, *command])
            # A random moment once the search is going (MPI's start-up time varies).
            self.wait_for(lambda: process.poll() is not None or len(self.records()) > records)
            try:
                out, _ = process.communicate(timeout=rng.uniform(0.2, 3.0))
            except subprocess.TimeoutExpired:
                ranks = self.hpopt_processes()
                if ranks:
                    rank = rng.choice(sorted(ranks))
                    os.kill(ranks[rank], signal.SIGKILL)  # the coordinator, a group leader: MPI ends the job
                    kills += 1
                out, _ = process.communicate(timeout=60 * TIME_SCALE)
            self.assertNotIn("replayed suggestions differed", out)
            self.wait_for(lambda: not self.hpopt_processes(), timeout=30)  # no rank left behind
            finished = [r["trial"] for r in self.events("trial_finished")]
            self.assertEqual(len(finished), len(set(finished)), "a trial finished twice")
            self.assertTrue(finished_before <= set(finished), "a finished trial was lost")
            finished_before = set(finished)
            if process.returncode == 0:
                break
        started = self.records() != []
        done = self.hpopt(*(["resume", "run"] if started else ["run", "spec.json", "--output", "run", "--force"]), ranks=5)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("trial budget reached after 40 trials", done.stdout)
        self.assertNotIn("replayed suggestions differed", done.stdout)
        self.assertGreater(kills, 0)
        self.check_each_trial_finished_once(40)

    def test_suggestions_asked_ahead_are_handed_out_once_and_none_is_lost_across_kills(self):
        # Bayesian optimization on 8 groups: the coordinator's model thread asks batches ahead of
        # the groups. The coordinator killed at random moments loses the suggestions it had not
        # handed out, and a resume asks every batch again as it was asked.
        spec = branin(48, layout={"groups": 8}, duration_s={"distribution": "uniform", "low": 0.02, "high": 0.15})
        spec["optimizer"] = {"kind": "bayes", "initial_points": 8}
        self.write_spec(spec)
        rng = random.Random(11)
        kills = 0
        for cycle in range(4):
            records = len(self.records())
            command = ["resume", "run"] if records else ["run", "spec.json", "--output", "run", "--force"]
            process = self.start(["mpirun", "-np", "9", HPOPT, *command])
            self.wait_for(lambda: process.poll() is not None or len(self.events("trial_finished")) > 2 + 8 * cycle)
            try:
                out, _ = process.communicate(timeout=rng.uniform(0.1, 1.0))
            except subprocess.TimeoutExpired:
                coordinator = self.hpopt_processes().get(0)
                if coordinator:
                    os.kill(coordinator, signal.SIGKILL)
                    kills += 1
                out, _ = process.communicate(timeout=60 * TIME_SCALE)
            self.assertNotIn("replayed suggestions differed", out)
            self.wait_for(lambda: not self.hpopt_processes(), timeout=30)
            if process.returncode == 0:
                break
        if self.records()[-1]["event"] != "run_finished":
            done = self.hpopt("resume", "run", ranks=9)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertNotIn("replayed suggestions differed", done.stdout)
        self.assertGreater(kills, 0)
        self.check_each_trial_finished_once(48)
        suggested = self.events("trial_suggested")
        self.assertEqual(sorted(r["trial"] for r in suggested), list(range(48)))
        self.assertEqual(len({json.dumps(r["point"]) for r in suggested}), 48)  # no point twice
        self.assertTrue(any("pending" not in r and "pending_added" not in r for r in suggested))  # batches of several
        self.assertTrue(any("pending_added" in r for r in suggested))  # pending trials told as a change


if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
