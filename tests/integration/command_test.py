"""Integration tests of the "command" workload: a user's program as a trial (parameters,
environment, result lines, logs, failures, deadlines that stop a process tree, resume from the
program's checkpoints), in one process and as a team of ranks under mpirun.

Usage: command_test.py PATH_TO_HPOPT
"""
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HPOPT = None
TIME_SCALE = float(os.environ.get("HPOPT_TEST_TIME_SCALE", "1"))
ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "command_scripts")


def spec(script, arguments, trials, budget=None, layout=None, **workload):
    return {
        "seed": 3,
        "space": {"x": {"type": "real", "low": 0, "high": 1}, "act": {"type": "categorical", "choices": ["relu", "tanh"]}},
        "optimizer": {"kind": "random"},
        "budget": dict({"trials": trials}, **(budget or {})),
        "layout": layout or {},
        "workload": dict({"plugin": "command", "command": [sys.executable, os.path.join(SCRIPTS, script), *arguments]},
                         **workload),
    }


class CommandCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="hpopt_command_test_")
        self.addCleanup(self.dir.cleanup)

    def path(self, *parts):
        return os.path.join(self.dir.name, *parts)

    def write_spec(self, document):
        with open(self.path("spec.json"), "w") as f:
            json.dump(document, f)

    def hpopt(self, *args, ranks=None):
        command = ([] if ranks is None else ["mpirun", "-np", str(ranks)]) + [HPOPT, *args]
        return subprocess.run(command, cwd=self.dir.name, env=ENVIRONMENT, capture_output=True, text=True,
                              timeout=120 * TIME_SCALE)

    def records(self, event):
        with open(self.path("run", "journal.jsonl")) as f:
            return [r for r in map(json.loads, f) if r["event"] == event]


class CommandTest(CommandCase):
    def test_a_program_gets_its_parameters_and_reports_epochs_and_its_fom(self):
        self.write_spec(spec("report_everything.py", ["--x", "{x}", "--act={act}", "{{literal}}"], 3, params_file=True,
                             fom_name="squared distance"))
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("squared distance", done.stdout)
        suggested = {r["trial"]: r["params"] for r in self.records("trial_suggested")}
        epochs = {r["trial"]: r for r in self.records("epoch_finished")}
        for finished in self.records("trial_finished"):
            trial, params = finished["trial"], suggested[finished["trial"]]
            self.assertEqual(finished["status"], "ok")
            self.assertAlmostEqual(finished["fom"], (params["x"] - 0.25) ** 2)
            self.assertEqual(finished["figures"], {"parameters": 1234, "note": "small", "x": params["x"]})  # the line's other keys
            details = epochs[trial]["training"]  # the epoch's other keys
            self.assertEqual(details["argv"], ["--x", json.dumps(params["x"]), "--act=" + params["act"], "{literal}"])
            self.assertEqual(details["params_file"], params)
            env = details["env"]
            self.assertEqual(json.loads(env["HPOPT_PARAMS"]), params)
            self.assertEqual((env["HPOPT_TRIAL_ID"], env["HPOPT_FOLD"], env["HPOPT_FOLDS"], env["HPOPT_ATTEMPT"]),
                             (str(trial), "0", "1", "0"))
            self.assertTrue(env["HPOPT_SEED"].isdigit())
            self.assertEqual(env["HPOPT_RUN_DIR"], os.path.realpath(self.path("run")))
            self.assertTrue(env["HPOPT_CHECKPOINT_DIR"].startswith(env["HPOPT_RUN_DIR"]))
            self.assertNotIn("CUDA_VISIBLE_DEVICES", env)  # no GPU here: the environment is left alone
            logs = self.path("run", "logs", f"trial-{trial}")
            with open(os.path.join(logs, "fold-0.stdout")) as f:
                self.assertEqual(f.readline(), "starting\n")
            with open(os.path.join(logs, "fold-0.stderr")) as f:
                self.assertEqual(f.read(), "done\n")

        with open(self.path("run", "results.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), len(self.records("trial_finished")))
        for row in rows:  # the figures have columns of their own; one named like a parameter is told apart
            self.assertEqual((row["parameters"], row["note"], float(row["figure_x"])), ("1234", "small", float(row["x"])))

    def test_a_trial_that_misses_a_constraint_is_never_the_best(self):
        document = spec("report_everything.py", ["--x", "{x}"], 24, params_file=True)
        document["constraints"] = [{"name": "x", "max": 0.2}]  # the FoM's best is at x = 0.25
        self.write_spec(document)
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        finished = self.records("trial_finished")
        infeasible = [r for r in finished if r["figures"]["x"] > 0.2]
        feasible = [r for r in finished if r["figures"]["x"] <= 0.2]
        self.assertTrue(feasible)
        self.assertLess(min(r["fom"] for r in infeasible), min(r["fom"] for r in feasible))  # a better FoM, out of bounds
        with open(self.path("run", "best.json")) as f:
            best = json.load(f)
        self.assertLessEqual(best["params"]["x"], 0.2)
        self.assertEqual(best["fom"], min(r["fom"] for r in feasible))
        status = self.hpopt("status", "run")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn(f"best: trial {best['trial']},", status.stdout)

    def test_each_rank_of_a_node_sees_its_own_device(self):
        # Group g's leader is rank 1 + g, its place on this node: device (1 + g) mod 2 of the list.
        self.write_spec(spec("report_everything.py", ["--x", "{x}"], 8, layout={"groups": 2}, params_file=True, devices=[7, "9"]))
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=3)
        self.assertEqual(done.returncode, 0, done.stderr)
        groups = {r["trial"]: r["group"] for r in self.records("trial_suggested")}
        seen = {(groups[r["trial"]], r["training"]["env"]["CUDA_VISIBLE_DEVICES"]) for r in self.records("epoch_finished")}
        self.assertEqual(seen, {(0, "9"), (1, "7")})
        self.write_spec(spec("report_everything.py", ["--x", "{x}"], 1, params_file=True, devices="none"))
        done = self.hpopt("run", "spec.json", "--output", "run", "--force")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.records("epoch_finished")[0]["training"]["env"]["CUDA_VISIBLE_DEVICES"], "")  # no device: hidden

    def test_a_placeholder_that_names_no_parameter_is_a_spec_error(self):
        self.write_spec(spec("report_everything.py", ["--x", "{x}", "--lr", "{lr}"], 1))
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("workload.command: argument 5 names {lr}, which is not a parameter of the space (x, act)", done.stderr)
        self.assertEqual(len(done.stderr.strip().splitlines()), 1)

    def test_failures_say_why_and_a_temporary_failure_runs_again(self):
        self.write_spec(spec("misbehave.py", [], 5, budget={"max_retries": 1}))
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        results = {r["trial"]: r for r in self.records("trial_finished")}
        self.assertEqual(results[0]["status"], "failed")
        self.assertIn("ended with exit status 3; its stderr ends: loading data|ValueError: the learning rate is too high",
                      results[0]["reason"])
        self.assertEqual([(r["trial"], r["attempt"]) for r in self.records("trial_attempt_failed")], [(1, 0)])
        self.assertIn("exit status 75", self.records("trial_attempt_failed")[0]["reason"])
        self.assertEqual(results[1]["status"], "ok")  # its second attempt
        self.assertIn("printed a result that is not JSON with a number for its FoM: {\"fom\": NaN}", results[2]["reason"])
        self.assertIn("printed no result line", results[3]["reason"])
        self.assertEqual((results[4]["status"], results[4]["fom"]), ("ok", 4.0))

    def test_a_program_that_cannot_start_fails_its_trial_on_every_rank(self):
        document = spec("report_everything.py", [], 2, layout={"groups": 1, "workers": 2})
        document["workload"]["command"] = ["/nonexistent/train"]
        self.write_spec(document)
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=3)
        self.assertEqual(done.returncode, 0, done.stderr)
        for finished in self.records("trial_finished"):
            self.assertEqual(finished["status"], "failed")
            self.assertIn("cannot run /nonexistent/train: No such file or directory", finished["reason"])

    def test_a_deadline_stops_the_program_and_everything_it_started(self):
        marker = "317.25"  # a sleep of this many seconds: the child the program leaves behind
        self.write_spec(spec("stubborn.py", [marker], 1, budget={"trial_timeout_s": 1}, grace_s=0.5))
        started = time.monotonic()
        done = self.hpopt("run", "spec.json", "--output", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertLess(time.monotonic() - started, 30)
        self.assertRegex(self.records("trial_finished")[0]["reason"], "deadline|timed out")
        left = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        left.append(pid)
            except OSError:
                continue
        self.assertEqual(left, [], "a process of the trial outlived it")

    def test_an_interrupted_trial_goes_on_from_the_programs_checkpoint(self):
        self.write_spec(spec("resumable.py", [], 1))
        process = subprocess.Popen([HPOPT, "run", "spec.json", "--output", "run"], cwd=self.dir.name, env=ENVIRONMENT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60 * TIME_SCALE
        while time.monotonic() < deadline:
            if os.path.exists(self.path("run", "journal.jsonl")) and len(self.records("epoch_finished")) >= 2:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=60), 3)  # interrupted, resumable
        done = self.hpopt("resume", "run")
        self.assertEqual(done.returncode, 0, done.stderr)
        epochs = self.records("epoch_finished")
        self.assertEqual([r["epoch"] for r in epochs], list(range(1, 7)))
        self.assertGreaterEqual(epochs[-1]["training"]["went_on_from"], 2)
        finished = self.records("trial_finished")
        self.assertEqual((finished[0]["status"], finished[0]["fom"]), ("ok", 1.0 / 6))

    def test_a_team_runs_the_program_on_every_rank_and_fails_together(self):
        self.write_spec(spec("team_member.py", ["{x}"], 6, layout={"groups": 1, "workers": 2}))
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=3)
        self.assertEqual(done.returncode, 0, done.stderr)
        suggested = {r["trial"]: r["params"] for r in self.records("trial_suggested")}
        results = {r["trial"]: r for r in self.records("trial_finished")}
        self.assertEqual(len(results), 6)
        for trial, params in suggested.items():
            if params["x"] > 0.5:
                self.assertEqual(results[trial]["status"], "failed")
                self.assertIn("rank 1 of the fold team failed", results[trial]["reason"])
                self.assertIn("out of GPU memory", results[trial]["reason"])
                continue
            self.assertEqual((results[trial]["status"], results[trial]["fom"]), ("ok", 10.0))  # the first rank's
            ranks = []
            for rank in (0, 1):
                with open(self.path("run", f"trial-{trial}-rank-{rank}.json")) as f:
                    ranks.append(json.load(f))
            self.assertEqual([(r["RANK"], r["WORLD_SIZE"], r["LOCAL_RANK"], r["LOCAL_WORLD_SIZE"]) for r in ranks],
                             [("0", "2", "0", "2"), ("1", "2", "1", "2")])
            self.assertEqual(ranks[0]["MASTER_ADDR"], ranks[1]["MASTER_ADDR"])
            self.assertEqual(ranks[0]["MASTER_PORT"], ranks[1]["MASTER_PORT"])
            self.assertGreater(int(ranks[0]["MASTER_PORT"]), 0)
        self.assertTrue(any(p["x"] > 0.5 for p in suggested.values()) and any(p["x"] <= 0.5 for p in suggested.values()))


# Debian's python3-torch lives in the system's interpreter (scripts/test.sh installs it).
SYSTEM_PYTHON = "/usr/bin/python3"
EXAMPLE = os.path.join(os.path.dirname(SCRIPTS), "..", "..", "examples", "pytorch-script")


def has_torch():
    return subprocess.run([SYSTEM_PYTHON, "-c", "import torch"], capture_output=True).returncode == 0


@unittest.skipUnless(has_torch(), "python3-torch is not installed")
class PytorchScriptTest(CommandCase):
    """examples/pytorch-script: a PyTorch script trained with DDP by 2 groups of 2-rank teams."""

    def example_spec(self, trials, epochs):
        with open(os.path.join(EXAMPLE, "spec.json")) as f:
            document = json.load(f)
        document["budget"]["trials"] = trials
        document["workload"]["command"] = [SYSTEM_PYTHON, os.path.abspath(os.path.join(EXAMPLE, "train_fashion.py")),
                                           "--lr", "{lr}", "--width", "{width}", "--epochs", str(epochs), "--samples", "3000"]
        return document

    def test_the_example_trains_with_ddp_across_each_team(self):
        self.write_spec(self.example_spec(4, 2))
        done = self.hpopt("run", "spec.json", "--output", "run", ranks=5)
        self.assertEqual(done.returncode, 0, done.stderr)
        finished = self.records("trial_finished")
        self.assertEqual([r["status"] for r in finished], ["ok"] * 4)
        self.assertLess(min(r["fom"] for r in finished), 0.5)  # 10 classes: 0.9 is chance
        self.assertEqual(sorted((r["trial"], r["epoch"]) for r in self.records("epoch_finished")),
                         [(t, e) for t in range(4) for e in (1, 2)])
        for trial in range(4):  # every rank of the team ran the script
            for rank in (0, 1):
                self.assertTrue(os.path.exists(self.path("run", "logs", f"trial-{trial}", f"fold-0-rank-{rank}.stdout")))

    def test_an_interrupted_search_resumes_its_trials_from_their_checkpoints(self):
        self.write_spec(self.example_spec(2, 6))  # more epochs than pass between the first and the signal
        process = subprocess.Popen(["mpirun", "-np", "5", HPOPT, "run", "spec.json", "--output", "run"], cwd=self.dir.name,
                                   env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120 * TIME_SCALE
        while time.monotonic() < deadline:
            if os.path.exists(self.path("run", "journal.jsonl")) and len(self.records("epoch_finished")) >= 1:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGUSR1)  # mpirun passes it on to every rank
        self.assertEqual(process.wait(timeout=120 * TIME_SCALE), 3)
        done = self.hpopt("resume", "run", ranks=5)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual([(r["status"], r.get("reason", "")) for r in self.records("trial_finished")], [("ok", "")] * 2)
        self.assertTrue(self.records("trial_interrupted"))
        went_on = [r["training"]["went_on_from"] for r in self.records("epoch_finished")]
        self.assertGreater(max(went_on), 0)  # a resumed trial started after its saved epoch
        self.assertEqual(sorted((r["trial"], r["epoch"]) for r in self.records("epoch_finished")),
                         [(t, e) for t in range(2) for e in range(1, 7)])


if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
