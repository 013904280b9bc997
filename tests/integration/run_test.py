"""Integration tests of `hpopt run`: the process, its exit status, and the files it writes.

Usage: run_test.py PATH_TO_HPOPT
"""
import csv
import datetime
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unittest

HPOPT = None
# scripts/test.sh --sanitize sets it: every process is slower there.
TIME_SCALE = float(os.environ.get("HPOPT_TEST_TIME_SCALE", "1"))
BRANIN_MINIMUM = 0.397887357729738


def branin_spec(**changes):
    spec = {
        "name": "branin",
        "seed": 3,
        "space": {
            "x1": {"type": "real", "low": -5, "high": 10},
            "x2": {"type": "real", "low": 0, "high": 15},
        },
        "optimizer": {"kind": "sobol"},
        "budget": {"trials": 200},
        "workload": {"plugin": "analytic", "function": "branin"},
    }
    spec.update(changes)
    return spec



def shrunk(spec_path, copy_path):
    """A training spec cut down to one short trial in one process (its layout wants mpirun; a
    learner schedule goes with the workers);
    any other spec as it is. None for a parameter-server spec, which needs a master and
    workers, and for a pipeline, which needs its stages' ranks: mpi_test.py runs those."""
    with open(spec_path) as f:
        spec = json.load(f)
    if "training" not in spec:
        return spec_path
    if spec.get("layout", {}).get("masters", 0) > 0 or spec["training"].get("parallelism") == "pipeline":
        return None
    spec["budget"] = {"trials": 1}
    spec["layout"] = {"groups": 1, "folds": spec.get("layout", {}).get("folds", 1)}
    spec["training"]["epochs"] = 1
    spec["training"].pop("learner_schedule", None)  # its workers are the layout's
    spec["workload"].setdefault("data", {})["subset"] = 600
    spec["workload"]["data"]["test_subset"] = 500
    with open(copy_path, "w") as f:
        json.dump(spec, f)
    return copy_path


class RunCase(unittest.TestCase):
    """A fresh directory to run hpopt in, and what a run there wrote."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="hpopt_run_test_")
        self.addCleanup(self.dir.cleanup)

    def path(self, *parts):
        return os.path.join(self.dir.name, *parts)

    def hpopt(self, *args, env=None):
        return subprocess.run([HPOPT, *args], capture_output=True, text=True, cwd=self.dir.name, timeout=120 * TIME_SCALE,
                              env=dict(os.environ, **(env or {})))

    def run_spec(self, spec, *args, env=None):
        with open(self.path("spec.json"), "w") as f:
            json.dump(spec, f)
        return self.hpopt("run", "spec.json", *args, env=env)

    def journal(self, run="runs/branin"):
        with open(self.path(run, "journal.jsonl")) as f:
            return [json.loads(line) for line in f]

    def results(self, run="runs/branin"):
        with open(self.path(run, "results.csv"), newline="") as f:
            return list(csv.DictReader(f))

    def kill_and_resume(self, spec, event, records):
        """Runs `spec` into "killed", kills it with SIGKILL once its journal holds `records` records
        of `event`, and resumes it to its end."""
        with open(self.path("spec.json"), "w") as f:
            json.dump(spec, f)
        process = subprocess.Popen([HPOPT, "run", "spec.json", "--output", "killed"], cwd=self.dir.name,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60 * TIME_SCALE
        while time.monotonic() < deadline:
            if os.path.exists(self.path("killed", "journal.jsonl")):
                if sum(r["event"] == event for r in self.journal("killed")) >= records:
                    break
            time.sleep(0.01)
        process.kill()
        process.wait()
        self.assertNotIn("run_finished", [r["event"] for r in self.journal("killed")])  # killed in the middle
        done = self.hpopt("resume", "killed")
        self.assertEqual(done.returncode, 0, done.stderr)



class RunTest(RunCase):
    def test_sobol_branin_run_writes_journal_results_and_best(self):
        done = self.run_spec(branin_spec())
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("trial budget reached after 200 trials", done.stdout)

        rows = self.results()
        self.assertEqual(len(rows), 200)
        self.assertEqual([int(r["trial"]) for r in rows], list(range(200)))
        self.assertTrue(all(r["status"] == "ok" for r in rows))
        best_fom = min(float(r["fom"]) for r in rows)
        self.assertLess(best_fom - BRANIN_MINIMUM, 0.5)

        records = self.journal()
        self.assertEqual(records[0]["event"], "run_started")
        self.assertEqual(records[0]["spec"], branin_spec())
        self.assertEqual(len(records[0]["spec_fingerprint"]), 16)
        self.assertEqual(records[-1]["event"], "run_finished")
        self.assertEqual(records[-1]["stop_reason"], "trial budget reached")
        suggested = [r for r in records if r["event"] == "trial_suggested"]
        finished = [r for r in records if r["event"] == "trial_finished"]
        self.assertEqual([r["trial"] for r in suggested], list(range(200)))
        self.assertEqual([r["trial"] for r in finished], list(range(200)))
        # Each trial is journaled as suggested before it is journaled as finished.
        position = {(r["event"], r["trial"]): i for i, r in enumerate(records) if "trial" in r}
        for trial in range(200):
            self.assertLess(position[("trial_suggested", trial)], position[("trial_finished", trial)])
        by_id = {r["trial"]: r for r in finished}
        for row in rows:
            self.assertAlmostEqual(float(row["fom"]), by_id[int(row["trial"])]["fom"], places=9)
        self.assertEqual(len({json.dumps(r["params"], sort_keys=True) for r in suggested}), 200)

        with open(self.path("runs/branin/best.json")) as f:
            best = json.load(f)
        self.assertAlmostEqual(best["fom"], best_fom, places=12)
        self.assertIn(f"best trial {best['trial']}: branin", done.stdout)
        with open(self.path("runs/branin/spec.json")) as f:
            self.assertEqual(json.load(f), branin_spec())

    def test_parameters_keep_their_types(self):
        spec = branin_spec(
            space={
                "x1": {"type": "real", "low": -5, "high": 10},
                "x2": {"type": "int", "low": 0, "high": 15},
                "units": {"type": "int", "low": 8, "high": 512, "log": True},
                "act": {"type": "categorical", "choices": ["relu", 2, True]},
                "epochs": {"type": "fixed", "value": 5},
            },
            optimizer={"kind": "random"},
            budget={"trials": 40},
        )
        self.assertEqual(self.run_spec(spec).returncode, 0)
        for record in self.journal():
            if record["event"] != "trial_suggested":
                continue
            params = record["params"]
            self.assertEqual(list(params), ["x1", "x2", "units", "act", "epochs"])
            self.assertIsInstance(params["x1"], float)
            self.assertIsInstance(params["x2"], int)
            self.assertTrue(8 <= params["units"] <= 512 and isinstance(params["units"], int))
            self.assertIn(params["act"], ["relu", 2, True])
            self.assertEqual(params["epochs"], 5)
        kinds = {type(r["params"]["act"]) for r in self.journal() if r["event"] == "trial_suggested"}
        self.assertEqual(kinds, {str, int, bool})

    def test_an_invalid_spec_exits_2_names_every_problem_and_writes_nothing(self):
        spec = branin_spec()
        spec["space"]["lr"] = {"type": "real", "low": -1, "high": 0.1, "log": True}
        spec["budget"] = {"trials": 0}
        spec["optimiser"] = {"kind": "random"}
        done = self.run_spec(spec)
        self.assertEqual(done.returncode, 2)
        lines = done.stderr.strip().splitlines()
        self.assertEqual(lines, [
            'hpopt: spec.json: space.lr.low: must be > 0 when "log": true (got -1)',
            "hpopt: spec.json: budget.trials: must be >= 1 (got 0)",
            'hpopt: spec.json: optimiser: unknown key (did you mean "optimizer"?)',
        ])
        self.assertFalse(os.path.exists(self.path("runs")))

    def test_a_spec_that_is_not_json_or_missing_is_a_one_line_error(self):
        with open(self.path("broken.json"), "w") as f:
            f.write('{"space": }')
        done = self.hpopt("run", "broken.json")
        self.assertEqual(done.returncode, 2)
        self.assertRegex(done.stderr, r"^hpopt: broken.json: not valid JSON: line 1, column 11: .*\n$")
        done = self.hpopt("run", "missing.json")
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr, "hpopt: missing.json: cannot read the spec file missing.json\n")

    def test_a_spec_nested_too_deep_or_with_a_key_twice_is_a_one_line_error(self):
        # 100,000 levels once crashed the parser's callers (a stack overflow, exit 139).
        with open(self.path("deep.json"), "w") as f:
            f.write('{"name": "deep", "space": ' + '{"a": ' * 100000 + "1" + "}" * 100000 + "}")
        done = self.hpopt("run", "deep.json")
        self.assertEqual(done.returncode, 2)
        self.assertRegex(done.stderr, r"^hpopt: deep.json: space(\.a)+: nested deeper than 64 objects and arrays\n$")
        spec = json.dumps(branin_spec())
        with open(self.path("twice.json"), "w") as f:
            f.write(spec[:-1] + ', "space": {"x": {"type": "real", "low": 0, "high": 1}}}')
        done = self.hpopt("run", "twice.json")
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr, "hpopt: twice.json: space: the key appears twice in its object\n")
        self.assertFalse(os.path.exists(self.path("runs")))

    def test_an_existing_output_dir_is_not_overwritten_without_force(self):
        self.assertEqual(self.run_spec(branin_spec(budget={"trials": 5})).returncode, 0)
        again = self.run_spec(branin_spec(budget={"trials": 7}))
        self.assertEqual(again.returncode, 2)
        self.assertIn("already exists", again.stderr)
        self.assertEqual(len(self.results()), 5)
        forced = self.run_spec(branin_spec(budget={"trials": 7}), "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertEqual(len(self.results()), 7)
        self.assertEqual(sum(r["event"] == "run_started" for r in self.journal()), 1)

    def test_output_option_overrides_the_spec(self):
        done = self.run_spec(branin_spec(budget={"trials": 3}), "--output", "elsewhere")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(self.results("elsewhere")), 3)
        self.assertFalse(os.path.exists(self.path("runs")))

    def test_the_search_stops_when_the_target_is_reached(self):
        done = self.run_spec(branin_spec(budget={"trials": 200, "target": 5.0}))
        self.assertEqual(done.returncode, 0)
        rows = self.results()
        self.assertLess(len(rows), 200)
        self.assertLessEqual(float(rows[-1]["fom"]), 5.0)
        self.assertTrue(all(float(r["fom"]) > 5.0 for r in rows[:-1]))
        self.assertEqual(self.journal()[-1]["stop_reason"], "target reached")

    def test_a_maximized_target_and_best_look_upwards(self):
        done = self.run_spec(branin_spec(objective={"direction": "maximize"}, budget={"trials": 50, "target": 250}))
        self.assertEqual(done.returncode, 0)
        rows = self.results()
        with open(self.path("runs/branin/best.json")) as f:
            best = json.load(f)
        self.assertAlmostEqual(best["fom"], max(float(r["fom"]) for r in rows), places=12)
        if len(rows) < 50:
            self.assertGreaterEqual(float(rows[-1]["fom"]), 250)

    def test_failed_trials_are_recorded_and_the_search_goes_on(self):
        done = self.run_spec(branin_spec(budget={"trials": 100},
                                         workload={"plugin": "analytic", "function": "branin", "failure_rate": 0.3}))
        self.assertEqual(done.returncode, 0)
        rows = self.results()
        self.assertEqual(len(rows), 100)
        failed = [r for r in rows if r["status"] == "failed"]
        self.assertTrue(10 <= len(failed) <= 50, len(failed))
        for row in failed:
            self.assertEqual(row["fom"], "")
            self.assertEqual(row["reason"], "injected failure (failure_rate 0.3)")
        self.assertIn(f"({len(failed)} failed)", done.stdout)

    def test_the_wall_time_interrupts_the_search_which_can_go_on(self):
        done = self.run_spec(branin_spec(budget={"trials": 1000, "wall_time_s": 0.5},
                                         workload={"plugin": "analytic", "function": "branin", "duration_s": 0.05}))
        self.assertEqual(done.returncode, 3, done.stderr)
        records = self.journal()
        self.assertEqual(records[-1]["stop_reason"], "wall time reached")
        self.assertLess(records[-1]["summary"]["elapsed_s"], 0.6)
        self.assertEqual(records[-2]["event"], "run_interrupted")
        self.assertTrue(5 <= len(self.results()) <= 12, len(self.results()))
        self.assertIn("hpopt resume runs/branin", done.stdout)

    def test_folds_are_averaged(self):
        done = self.run_spec(branin_spec(budget={"trials": 10}, layout={"folds": 3},
                                         workload={"plugin": "analytic", "function": "branin", "noise": 1.0}))
        self.assertEqual(done.returncode, 0)
        for record in self.journal():
            if record["event"] == "trial_finished":
                self.assertEqual(len(record["fold_foms"]), 3)
                self.assertAlmostEqual(record["fom"], sum(record["fold_foms"]) / 3, places=9)
                self.assertGreater(record["fom_std"], 0)

    def test_a_finite_space_is_exhausted_without_repeats(self):
        spec = branin_spec(space={"x1": {"type": "int", "low": 0, "high": 4}, "x2": {"type": "fixed", "value": 2.275}},
                           optimizer={"kind": "random"}, budget={"trials": 100})
        done = self.run_spec(spec)
        self.assertEqual(done.returncode, 0)
        self.assertEqual(sorted(int(r["x1"]) for r in self.results()), [0, 1, 2, 3, 4])
        self.assertEqual(self.journal()[-1]["stop_reason"], "search space exhausted")

    def test_the_same_seed_replays_the_same_run(self):
        self.assertEqual(self.run_spec(branin_spec(optimizer={"kind": "random"}, budget={"trials": 20})).returncode, 0)
        first = [(r["x1"], r["x2"], r["fom"]) for r in self.results()]
        self.assertEqual(self.run_spec(branin_spec(optimizer={"kind": "random"}, budget={"trials": 20}),
                                       "--force").returncode, 0)
        self.assertEqual(first, [(r["x1"], r["x2"], r["fom"]) for r in self.results()])

    def test_bayes_search_end_to_end(self):
        done = self.run_spec(branin_spec(optimizer={"kind": "bayes"}, budget={"trials": 40}))
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = self.results()
        self.assertEqual(len(rows), 40)
        self.assertLess(min(float(r["fom"]) for r in rows) - BRANIN_MINIMUM, 1e-3)
        params = [json.dumps(r["params"]) for r in self.journal() if r["event"] == "trial_suggested"]
        self.assertEqual(len(set(params)), 40)

    def test_bayes_searches_mixed_spaces(self):
        spec = branin_spec(
            space={
                "x1": {"type": "real", "low": -5, "high": 10},
                "x2": {"type": "int", "low": 0, "high": 15},
                "act": {"type": "categorical", "choices": ["relu", "tanh"]},
                "lr": {"type": "real", "low": 1e-4, "high": 1, "log": True},
            },
            optimizer={"kind": "bayes", "acquisition": "hedge", "initial_points": 5},
            budget={"trials": 25},
        )
        done = self.run_spec(spec)
        self.assertEqual(done.returncode, 0, done.stderr)
        for record in self.journal():
            if record["event"] == "trial_suggested":
                self.assertIsInstance(record["params"]["x2"], int)
                self.assertIn(record["params"]["act"], ["relu", "tanh"])

    def test_bayes_options_are_checked(self):
        done = self.run_spec(branin_spec(optimizer={"kind": "bayes", "acquisition": "eii", "initial_points": 0}))
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr.splitlines(), [
            "hpopt: spec.json: optimizer.initial_points: must be >= 1 (got 0)",
            'hpopt: spec.json: optimizer.acquisition: unknown value (did you mean "ei"?) (got "eii")',
        ])

    def test_cmaes_searches_a_mixed_space_and_resumes_to_the_same_suggestions(self):
        spec = branin_spec(optimizer={"kind": "cmaes"}, budget={"trials": 60},
                           workload={"plugin": "analytic", "function": "branin",
                                     "duration_s": {"distribution": "fixed", "value": 0.01}})
        spec["space"]["x2"] = {"type": "int", "low": 0, "high": 15}
        spec["space"]["act"] = {"type": "categorical", "choices": ["relu", "tanh", "gelu"]}
        self.assertEqual(self.run_spec(spec, "--output", "straight").returncode, 0)
        finished = [r for r in self.journal("straight") if r["event"] == "trial_finished"]
        self.assertEqual(len(finished), 60)
        self.assertLess(min(r["fom"] for r in finished), 1.0)  # Branin: 0.398 at best, about 55 on average
        self.kill_and_resume(spec, "trial_finished", 25)
        suggested = lambda run: {r["trial"]: r["params"] for r in self.journal(run) if r["event"] == "trial_suggested"}
        self.assertEqual(suggested("killed"), suggested("straight"))

    def test_cmaes_options_are_checked(self):
        done = self.run_spec(branin_spec(optimizer={"kind": "cmaes", "sigma0": 2, "restarts": "bipop", "population": 1}))
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr.splitlines(), [
            "hpopt: spec.json: optimizer.population: must be >= 2 (got 1)",
            "hpopt: spec.json: optimizer.sigma0: must be in (0, 1] (a share of each range) (got 2)",
            'hpopt: spec.json: optimizer.restarts: unknown value (did you mean "ipop"?) (got "bipop")',
        ])

    def zdt1_spec(self, kind, trials, **workload):
        return {"name": "zdt1", "seed": 2,
                "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 5)},
                "objectives": [{"name": "f1"}, {"name": "f2"}],
                "optimizer": {"kind": kind}, "budget": {"trials": trials},
                "workload": dict({"plugin": "analytic", "function": "zdt1"}, **workload)}

    def test_several_objectives_pareto_file_is_the_front_of_the_results(self):
        for kind in ("evolution", "bayes", "random"):
            with self.subTest(kind=kind):
                spec = self.zdt1_spec(kind, 40)
                spec["constraints"] = [{"name": "f2", "max": 2.5}]
                done = self.run_spec(spec, "--force")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("Pareto front: ", done.stdout)
                rows = [r for r in self.results("runs/zdt1") if r["status"] == "ok" and float(r["f2"]) <= 2.5]
                points = {int(r["trial"]): (float(r["f1"]), float(r["f2"])) for r in rows}
                dominated = lambda p: any(q != p and q[0] <= p[0] and q[1] <= p[1] for q in points.values())
                front = {trial for trial, p in points.items() if not dominated(p)}
                with open(self.path("runs/zdt1/pareto.json")) as f:
                    pareto = json.load(f)
                self.assertEqual({t["trial"] for t in pareto["trials"]}, front)
                self.assertEqual([o["name"] for o in pareto["objectives"]], ["f1", "f2"])
                self.assertTrue(all(t["objectives"]["f2"] <= 2.5 for t in pareto["trials"]))  # infeasible never
                status = self.hpopt("status", "runs/zdt1")
                self.assertIn(f"Pareto front: {len(front)} trial(s) (minimize f1, minimize f2)", status.stdout)
                exported = json.loads(self.hpopt("export", "runs/zdt1", "--format", "json").stdout)
                self.assertEqual(set(exported["run"]["pareto_front"]), front)
                on_front = [t for t in exported["trials"] if t.get("pareto")]
                self.assertEqual({t["trial"] for t in on_front}, front)
                self.assertEqual(on_front[0]["objectives"]["f1"], points[on_front[0]["trial"]][0])
                csv_rows = list(csv.DictReader(io.StringIO(self.hpopt("export", "runs/zdt1").stdout)))
                self.assertEqual({int(r["trial"]) for r in csv_rows if r["pareto"] == "1"}, front)

    def test_several_objectives_resume_to_the_same_suggestions_and_a_missing_objective_fails_the_trial(self):
        spec = self.zdt1_spec("bayes", 30, duration_s={"distribution": "fixed", "value": 0.01})
        self.assertEqual(self.run_spec(spec, "--output", "straight").returncode, 0)
        self.kill_and_resume(spec, "trial_finished", 14)
        suggested = lambda run: {r["trial"]: r["params"] for r in self.journal(run) if r["event"] == "trial_suggested"}
        self.assertEqual(suggested("killed"), suggested("straight"))
        with open(self.path("straight/pareto.json")) as f, open(self.path("killed/pareto.json")) as g:
            self.assertEqual(json.load(f)["trials"], json.load(g)["trials"])

        spec["objectives"][1]["name"] = "latency"
        done = self.run_spec(spec, "--force")
        self.assertEqual(done.returncode, 0, done.stderr)
        reasons = {r["reason"] for r in self.results("runs/zdt1")}
        self.assertEqual(reasons, {"reported no finite figure latency (an objective)"})

    def test_evolution_end_to_end_in_both_modes(self):
        for mode in ("generational", "steady_state"):
            with self.subTest(mode=mode):
                spec = branin_spec(optimizer={"kind": "evolution", "mode": mode, "population": 10,
                                              "mutation_probability": 0.5},
                                   budget={"trials": 150}, objective={"direction": "minimize"})
                done = self.run_spec(spec, "--force")
                self.assertEqual(done.returncode, 0, done.stderr)
                rows = self.results()
                self.assertEqual(len(rows), 150)
                self.assertLess(min(float(r["fom"]) for r in rows) - BRANIN_MINIMUM, 0.05)
                params = [json.dumps(r["params"]) for r in self.journal() if r["event"] == "trial_suggested"]
                self.assertEqual(len(set(params)), 150)

    def test_evolution_ranks_negative_foms_and_maximizes(self):
        # Hartmann6 is negative everywhere: the fitter trial is the more negative one.
        unit = {"type": "real", "low": 0, "high": 1}
        spec = branin_spec(space={f"x{i}": unit for i in range(1, 7)},
                           optimizer={"kind": "evolution", "population": 10, "mutation_probability": 0.2},
                           budget={"trials": 300}, workload={"plugin": "analytic", "function": "hartmann6"})
        done = self.run_spec(spec)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertLess(min(float(r["fom"]) for r in self.results()), -3.0)

        # Maximizing Branin: the search climbs towards the largest FoMs.
        spec = branin_spec(optimizer={"kind": "evolution", "population": 10, "mutation_probability": 0.5},
                           objective={"direction": "maximize"}, budget={"trials": 150})
        done = self.run_spec(spec, "--force")
        self.assertEqual(done.returncode, 0, done.stderr)
        foms = [float(r["fom"]) for r in self.results()]
        self.assertGreater(sorted(foms[75:])[37], sorted(foms[:75])[37])

    def test_a_model_workload_trains_in_one_process(self):
        spec = branin_spec(space={"lr": {"type": "real", "low": 0.01, "high": 0.1, "log": True}},
                           budget={"trials": 2}, layout={"folds": 2},
                           training={"epochs": 1, "optimizer": "adam", "fom": "validation_error"},
                           workload={"plugin": "fashion_cnn", "channels": 4, "width": 16,
                                     "data": {"subset": 600, "test_subset": 300}})
        done = self.run_spec(spec, "--force")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("best trial", done.stdout)
        results = self.results()
        self.assertEqual([r["status"] for r in results], ["ok", "ok"])
        self.assertTrue(all(0 < float(r["fom"]) < 0.9 for r in results))
        # The model's size and speed as figures: the same architecture in both trials.
        self.assertEqual(len({r["parameters"] for r in results}), 1)
        self.assertGreater(int(results[0]["parameters"]), 1000)
        self.assertTrue(all(0 < float(r["inference_s"]) < 0.1 for r in results))
        self.assertIn("test_accuracy", done.stdout)
        epochs = [(r["trial"], r["fold"], r["epoch"]) for r in self.journal() if r["event"] == "epoch_finished"]
        self.assertEqual(epochs, [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1)])

    def test_the_example_plugin_of_the_docs_loads_from_the_plugin_path_and_learns(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(root, "examples", "plugin", "two-moons.json")) as f:
            spec = json.load(f)
        spec["budget"] = {"trials": 3}
        spec["workload"]["data"]["path"] = os.path.join(root, "examples", "plugin", "two-moons.csv")
        plugin_dir = os.path.join(os.path.dirname(os.path.dirname(HPOPT)), "..", "examples", "plugin")
        done = self.run_spec(spec, "--output", "moons", env={"HPOPT_PLUGIN_PATH": plugin_dir})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertLess(min(float(r["fom"]) for r in self.results("moons")), 0.2)

    def test_a_model_parameter_of_the_wrong_type_fails_its_trial_with_the_reason(self):
        spec = branin_spec(space={"width": {"type": "categorical", "choices": ["wide"]}}, budget={"trials": 1},
                           training={"epochs": 1},
                           workload={"plugin": "fashion_mlp", "data": {"subset": 100, "test_subset": 100}})
        done = self.run_spec(spec)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.results()[0]["reason"], 'the model parameter width = "wide" is not an integer')

    def test_a_training_device_the_process_cannot_use_fails_the_trial_with_the_reason(self):
        spec = branin_spec(space={"lr": {"type": "real", "low": 0.01, "high": 0.1}}, budget={"trials": 1},
                           training={"epochs": 1, "devices": [0]},
                           workload={"plugin": "fashion_mlp", "data": {"subset": 100, "test_subset": 100}})
        done = self.run_spec(spec, env={"CUDA_VISIBLE_DEVICES": ""})  # the launcher shows this process no GPU
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.results()[0]["reason"], "training.devices: device 0 is not among those this process sees (none)")

    def test_plugin_and_data_errors_are_one_line_each(self):
        tests_build = os.path.join(os.path.dirname(os.path.dirname(HPOPT)), "..", "tests", "plugins")
        cases = [
            (dict(workload={"plugin": "wrong_abi"}), {"HPOPT_PLUGIN_PATH": tests_build},
             "workload.plugin: " + os.path.join(tests_build, "hpopt_wrong_abi.so") + " was built for another plugin interface"),
            (dict(workload={"plugin": "no_such_plugin"}), {"HPOPT_PLUGIN_PATH": "/nowhere"},
             "unknown workload plugin; known: "),
            (dict(workload={"plugin": "fashion_mlp", "data": {"path": "/no/such/data"}}), {},
             "workload.data.path: no such file or directory"),
            (dict(workload={"plugin": "fashion_mlp", "layers": 0}), {}, "workload.layers: must be >= 1"),
            (dict(training={"epochs": 1}), {}, "training: the analytic workload trains no model"),
            (dict(training={"algorithm": "hogwild"}, workload={"plugin": "fashion_mlp"}), {},
             'training.algorithm: expected one of allreduce, downpour, easgd, gem'),
            (dict(training={"algorithm": "downpour"}, workload={"plugin": "fashion_mlp"}), {},
             "training.algorithm: a parameter server needs a master: set layout.masters to 1 or more"),
            (dict(training={"algorithm": "gem"}, layout={"masters": 3, "workers": 1}, workload={"plugin": "fashion_mlp"}), {},
             "training.algorithm: 2 sub-masters need at least as many workers (layout.workers is 1)"),
            (dict(training={"algorithm": "easgd", "sync_fraction": 0.5}, layout={"masters": 1},
                  workload={"plugin": "fashion_mlp"}), {}, "training.sync_fraction: applies to downpour only"),
            (dict(training={"algorithm": "easgd", "checkpoint_every_s": 60}, layout={"masters": 1},
                  workload={"plugin": "fashion_mlp"}), {}, "training.checkpoint_every_s: applies to allreduce training only"),
            (dict(training={"checkpoint_every_s": 0}, workload={"plugin": "fashion_mlp"}), {},
             "training.checkpoint_every_s: must be > 0"),
            (dict(training={"learner_schedule": [{"epoch": 0, "workers": 3}]}, layout={"workers": 2},
                  workload={"plugin": "fashion_mlp"}), {}, "training.learner_schedule[0].workers: must be in [1, 2] (layout.workers)"),
            (dict(training={"algorithm": "easgd", "learner_schedule": [{"epoch": 0, "workers": 1}]},
                  layout={"masters": 1, "workers": 2}, workload={"plugin": "fashion_mlp"}), {},
             "training.learner_schedule: applies to allreduce only"),
            (dict(training={"optimizer": "nesterov"}, workload={"plugin": "fashion_mlp"}), {},
             "training.momentum: must be > 0 for nesterov"),
            (dict(training={"lr_schedule": {"kind": "cosine", "min_fraction": 1}}, workload={"plugin": "fashion_mlp"}), {},
             "training.lr_schedule.min_fraction: must be in [0, 1)"),
            (dict(training={"algorithm": "downpour", "lr_schedule": {"kind": "step"}}, layout={"masters": 1, "workers": 2},
                  workload={"plugin": "fashion_mlp"}), {}, "training.lr_schedule: applies to allreduce only"),
            (dict(layout={"masters": 1}, workload={"plugin": "fashion_mlp"}), {},
             "layout: all-reduce training (the default) has no masters"),
            (dict(training={"parallelism": "pipeline"}, workload={"plugin": "fashion_mlp"}), {},
             "training.parallelism: a pipeline's stages are a worker's ranks: set layout.ranks_per_worker to 2 or more"),
            (dict(training={"parallelism": "pipeline", "averaging": "kavg"}, layout={"ranks_per_worker": 2},
                  workload={"plugin": "fashion_mlp"}), {}, "training.parallelism: a pipeline trains by allreduce with averaging every_step"),
            (dict(training={"parallelism": "pipeline", "stages": [2, 2, 4]}, layout={"ranks_per_worker": 2},
                  workload={"plugin": "fashion_mlp"}), {}, "training.stages: lists 3 stages for 2 ranks per worker"),
            (dict(training={"parallelism": "pipeline", "stages": [2, 0]}, layout={"ranks_per_worker": 2},
                  workload={"plugin": "fashion_mlp"}), {}, "training.stages: must be a list of layer counts >= 1, one per stage"),
            (dict(training={"bucket_mb": 0}, workload={"plugin": "fashion_mlp"}), {}, "training.bucket_mb: must be > 0"),
            (dict(training={"devices": "gpu"}, workload={"plugin": "fashion_mlp"}), {}, "training.devices: expected one of auto, none"),
            (dict(training={"micro_batches": 4}, workload={"plugin": "fashion_mlp"}), {},
             'training.micro_batches: applies to "parallelism": "pipeline" only'),
            (dict(training={"parallelism": "pipeline"}, layout={"ranks_per_worker": 2}, workload={"plugin": "calo_gan"}), {},
             "training.parallelism: the calo_gan workload trains two networks: no pipeline"),
        ]
        for changes, env, message in cases:
            with self.subTest(message=message):
                done = self.run_spec(branin_spec(**changes), env=env)
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn(message, done.stderr)
                if "no_such_plugin" in str(changes):
                    self.assertIn("looked in /nowhere, ", done.stderr)
                self.assertFalse(os.path.exists(self.path("runs")))

    def test_every_shipped_spec_runs(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        specs = [os.path.join(root, folder, name) for folder in ("configs", "examples")
                 for name in sorted(os.listdir(os.path.join(root, folder))) if name.endswith(".json")]
        self.assertGreaterEqual(len(specs), 3)
        for spec in specs:
            runnable = shrunk(spec, self.path(os.path.basename(spec)))
            if runnable is None:
                continue
            with self.subTest(spec=spec):
                done = self.hpopt("run", runnable, "--output", self.path("out", os.path.basename(spec)))
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertRegex(done.stdout, "best trial|Pareto front: [1-9]")

    def test_layout_prints_the_rank_map_and_checks_a_world_size(self):
        with open(self.path("spec.json"), "w") as f:
            json.dump(branin_spec(layout={"groups": 2, "folds": 2, "masters": 1, "workers": 2}), f)
        done = self.hpopt("layout", "spec.json")
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertTrue(lines[0].startswith("13 ranks = 1 + groups 2 * folds 2"))
        self.assertEqual(len(lines), 2 + 13)
        self.assertEqual(self.hpopt("layout", "spec.json", "--ranks", "13").returncode, 0)
        wrong = self.hpopt("layout", "spec.json", "--ranks", "5")
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("run it with mpirun -np 13 (got 5)", wrong.stderr)
        self.assertFalse(os.path.exists(self.path("runs")))

    def test_help_and_version(self):
        help_text = self.hpopt("--help")
        self.assertEqual(help_text.returncode, 0)
        self.assertIn("run", help_text.stdout)
        version = self.hpopt("--version")
        self.assertEqual(version.returncode, 0)
        self.assertRegex(version.stdout, r"^hpopt \d+\.\d+\.\d+")
        self.assertEqual(self.hpopt("frobnicate").returncode, 2)
        self.assertEqual(self.hpopt("run").returncode, 2)


    def test_a_calo_gan_search_runs_in_one_process_and_reports_its_physics_distance(self):
        for name, count, seed in (("showers.h5", "60", "2"), ("test.h5", "30", "9")):
            done = self.hpopt("showers", "--count", count, "--out", name, "--seed", seed)
            self.assertEqual(done.returncode, 0, done.stderr)
        spec = {
            "seed": 2,
            "space": {"latent_size": {"type": "int", "low": 8, "high": 16}},
            "optimizer": {"kind": "random"},
            "budget": {"trials": 2},
            "training": {"epochs": 1, "batch_size": 16, "optimizer": "rmsprop", "lr": 3e-4},
            "workload": {"plugin": "calo_gan", "generator_channels": 4, "discriminator_channels": 4,
                         "data": {"path": "showers.h5", "test_path": "test.h5"}},
        }
        done = self.run_spec(spec, "--output", "gan")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertRegex(done.stdout, r"best trial \d: physics_distance = 0\.\d+")
        finished = [r for r in self.journal("gan") if r["event"] == "trial_finished"]
        self.assertEqual([r["status"] for r in finished], ["ok", "ok"])
        self.assertTrue(all(0 < r["fom"] < 5 / 6 for r in finished))
        # Each epoch's record says what the physics distance is made of.
        epochs = [r for r in self.journal("gan") if r["event"] == "epoch_finished"]
        self.assertEqual(len(epochs), 2)
        for e in epochs:
            terms = e["training"]["fom_terms"]
            self.assertEqual(sorted(terms), ["depth", "longitudinal", "resolution", "response", "transverse", "width"])
            self.assertAlmostEqual(sum(terms.values()) / 6, e["fom"], places=9)
        with open(self.path("gan", "test.json")) as f:
            test = json.load(f)
        self.assertEqual(test["test_samples"], 30)
        self.assertGreater(test["test_physics_distance"], 0)

    def test_calo_gan_spec_errors_name_their_path(self):
        gan = {"plugin": "calo_gan", "data": {"path": "missing.h5"}}
        spec = branin_spec(workload=gan, layout={"masters": 1, "workers": 1},
                           training={"algorithm": "downpour"})
        done = self.run_spec(spec)
        self.assertEqual(done.returncode, 2)
        self.assertIn("workload.data.path: no such file: missing.h5", done.stderr)
        self.assertIn("training.algorithm: the calo_gan workload trains two networks: allreduce or easgd", done.stderr)
        # Left out, a GAN's algorithm is easgd where the layout has masters.
        done = self.run_spec(branin_spec(workload=gan, layout={"masters": 1, "workers": 1}))
        self.assertEqual(done.returncode, 2)
        self.assertNotIn("training", done.stderr)
        self.assertNotIn("layout", done.stderr)
        done = self.run_spec(branin_spec(workload={"plugin": "calo_gan"}))
        self.assertEqual(done.returncode, 2)
        self.assertIn("workload: needs \"data\"", done.stderr)

    def test_showers_writes_a_clic_format_file_and_refuses_bad_counts(self):
        done = self.hpopt("showers", "--count", "1250", "--out", "showers.h5", "--seed", "3", "--max-energy", "100")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("wrote 1250 showers, incident energies 10 to 100 GeV", done.stdout)
        self.assertIn("showers: 1000/1250 written", done.stderr)
        self.assertTrue(os.path.getsize(self.path("showers.h5")) > 1000)
        done = self.hpopt("showers", "--count", "0", "--out", "none.h5")
        self.assertEqual(done.returncode, 2)
        self.assertFalse(os.path.exists(self.path("none.h5")))


    def resumable_spec(self, trials):
        return branin_spec(optimizer={"kind": "bayes", "initial_points": 4}, budget={"trials": trials},
                           workload={"plugin": "analytic", "function": "branin",
                                     "duration_s": {"distribution": "fixed", "value": 0.05}})

    def finished(self, run):
        return [(r["trial"], r["fom"]) for r in self.journal(run) if r["event"] == "trial_finished"]

    def suggested(self, run):
        return {r["trial"]: r["params"] for r in self.journal(run) if r["event"] == "trial_suggested"}

    def whole_records(self, run):
        try:
            with open(self.path(run, "journal.jsonl")) as f:
                return f.read().count("\n")
        except OSError:
            return 0

    def test_a_search_killed_at_random_moments_and_resumed_ends_as_one_never_stopped(self):
        self.assertEqual(self.run_spec(self.resumable_spec(24), "--output", "straight").returncode, 0)
        rng = random.Random(9)
        kills = 0
        for _ in range(8):
            # Until the journal holds its first record there is nothing to resume: start afresh.
            records = self.whole_records("cut")
            command = [HPOPT, "resume", "cut"] if records else [HPOPT, "run", "spec.json", "--output", "cut", "--force"]
            process = subprocess.Popen(command, cwd=self.dir.name, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # A random moment once the search is going (its first record written: start-up is
            # slow where torch loads slowly, under the sanitizers for one).
            deadline = time.monotonic() + 60
            while process.poll() is None and self.whole_records("cut") <= records and time.monotonic() < deadline:
                time.sleep(0.02)
            try:
                process.wait(timeout=rng.uniform(0.0, 1.2))
            except subprocess.TimeoutExpired:
                process.kill()  # SIGKILL: no chance to write anything more
                process.wait()
                kills += 1
            if process.returncode == 0:
                break
        done = self.hpopt("resume", "cut")  # a finished run resumes to nothing new
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertGreater(kills, 0)
        self.assertEqual(sorted(self.finished("cut")), self.finished("straight"))
        self.assertEqual(self.suggested("cut"), self.suggested("straight"))
        self.assertEqual(len(self.results("cut")), 24)

    def test_resume_drops_a_torn_last_record_and_raises_the_budget(self):
        self.assertEqual(self.run_spec(self.resumable_spec(8), "--output", "run").returncode, 0)
        with open(self.path("run", "journal.jsonl"), "a") as f:
            f.write('{"event": "trial_fini')  # a crash while writing
        done = self.hpopt("resume", "run", "--trials", "12")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("warning: the journal's last record was torn", done.stderr)
        self.assertEqual([t for t, _ in self.finished("run")], list(range(12)))
        self.assertEqual([r["event"] for r in self.journal("run")].count("run_resumed"), 1)

    def test_resume_refuses_another_spec_a_damaged_journal_and_a_dir_without_a_run(self):
        self.assertEqual(self.run_spec(self.resumable_spec(4), "--output", "run").returncode, 0)
        with open(self.path("run", "spec.json")) as f:
            spec = json.load(f)
        spec["seed"] = 4
        with open(self.path("run", "spec.json"), "w") as f:
            json.dump(spec, f)
        done = self.hpopt("resume", "run")
        self.assertEqual(done.returncode, 2)
        self.assertIn("belongs to another spec", done.stderr)

        self.assertEqual(self.run_spec(self.resumable_spec(4), "--output", "run", "--force").returncode, 0)
        with open(self.path("run", "journal.jsonl")) as f:
            lines = f.readlines()
        lines[2] = lines[2][:20] + "\n"
        with open(self.path("run", "journal.jsonl"), "w") as f:
            f.writelines(lines)
        done = self.hpopt("resume", "run")
        self.assertEqual(done.returncode, 2)
        self.assertIn("line 3 is not a journal record", done.stderr)

        done = self.hpopt("resume", "nowhere")
        self.assertEqual(done.returncode, 2)
        self.assertIn("cannot read the spec file nowhere/spec.json", done.stderr)


class EarlyStoppingTest(RunCase):
    def curve_spec(self, early_stopping, budget=None, **workload):
        return branin_spec(optimizer={"kind": "random"}, budget=budget or {"trials": 24},
                           early_stopping=early_stopping,
                           workload=dict({"plugin": "analytic", "function": "branin", "epochs": 9, "curve_gap": 50,
                                          "duration_s": {"distribution": "fixed", "value": 0.002}}, **workload))

    def test_asha_stops_trials_at_their_rungs_and_says_why(self):
        done = self.run_spec(self.curve_spec({"kind": "asha", "min_epochs": 1, "reduction_factor": 3}))
        self.assertEqual(done.returncode, 0, done.stderr)
        records = self.journal()
        # A verdict at the last epoch (the rung of epoch 9) comes when the trial has finished.
        decisions = {r["trial"]: r for r in records if r["event"] == "trial_stopped_early" and r["epoch"] < 9}
        finished = {r["trial"]: r for r in records if r["event"] == "trial_finished"}
        self.assertEqual(len(finished), 24)
        self.assertGreater(len(decisions), 8)  # most of 24 random trials do not make the cut
        for trial, decision in decisions.items():
            self.assertIn(decision["epoch"], (1, 3))  # the rungs
            self.assertGreater(decision["fom"], decision["cut"])  # minimizing: worse than the cut
            self.assertIn(f"at the rung of epoch {decision['epoch']}", decision["basis"])
            stopped = finished[trial]
            self.assertEqual((stopped["status"], stopped["epoch"], stopped["fom"]), ("stopped", decision["epoch"], decision["fom"]))
            # The verdict reaches the trial while it trains on: an epoch of 2 ms may end first.
            self.assertIn(len(stopped["epoch_foms"][0]), range(decision["epoch"], 9))
        full = [r for r in finished.values() if r["status"] == "ok"]
        self.assertTrue(all(len(r["epoch_foms"][0]) == 9 for r in full))
        rows = {int(row["trial"]): row for row in self.results()}
        self.assertEqual({t for t, row in rows.items() if row["status"] == "stopped"}, set(decisions))
        self.assertTrue(all(rows[t]["stopped_at_epoch"] == str(d["epoch"]) for t, d in decisions.items()))
        with open(self.path("runs/branin/best.json")) as f:
            best = json.load(f)
        self.assertEqual(best["fom"], min(r["fom"] for r in full))  # among the trials trained to the end
        self.assertIn(f"{len(decisions)} stopped early", done.stdout)
        status = self.hpopt("status", "runs/branin")
        self.assertIn(f"{len(decisions)} stopped early", status.stdout)
        summary = records[-1]["summary"]
        self.assertEqual(summary["stopped"], len(decisions))
        self.assertEqual(summary["epochs"], sum(len(r["epoch_foms"][0]) for r in finished.values()))

    def test_the_median_rule_and_an_epoch_budget(self):
        done = self.run_spec(self.curve_spec({"kind": "median", "min_epochs": 2}, budget={"epochs": 90}))
        self.assertEqual(done.returncode, 0, done.stderr)
        records = self.journal()
        self.assertEqual(records[-1]["stop_reason"], "epoch budget reached")
        trained = records[-1]["summary"]["epochs"]
        self.assertGreaterEqual(trained, 90)
        self.assertLess(trained, 90 + 9)  # one group: the last trial may go past the budget
        decisions = [r for r in records if r["event"] == "trial_stopped_early"]
        self.assertTrue(decisions)
        self.assertTrue(all(d["epoch"] >= 2 and "median of" in d["basis"] for d in decisions))
        self.assertGreater(len([r for r in records if r["event"] == "trial_finished"]), 10)  # more trials than 90 / 9

    def test_a_search_killed_and_resumed_stops_the_same_trials_and_ends_alike(self):
        spec = self.curve_spec({"kind": "asha"}, budget={"trials": 30},
                               duration_s={"distribution": "fixed", "value": 0.02})
        self.assertEqual(self.run_spec(spec, "--output", "straight").returncode, 0)
        self.kill_and_resume(spec, "trial_stopped_early", 4)
        outcome = lambda run: sorted((r["trial"], r["status"], r["fom"]) for r in self.journal(run) if r["event"] == "trial_finished")
        self.assertEqual(outcome("killed"), outcome("straight"))

    def test_asha_promote_pauses_trials_and_goes_on_with_the_best_from_their_checkpoints(self):
        done = self.run_spec(self.curve_spec({"kind": "asha", "reduction_factor": 3, "mode": "promote"}, budget={"trials": 30}))
        self.assertEqual(done.returncode, 0, done.stderr)
        records = self.journal()
        paused = [r for r in records if r["event"] == "trial_paused" and r["epoch"] < 9]
        promoted = [r["trial"] for r in records if r["event"] == "trial_promoted"]
        finished = {r["trial"]: r for r in records if r["event"] == "trial_finished"}
        self.assertEqual(len(finished), 30)
        self.assertGreater(len(paused), 10)
        self.assertTrue(promoted)
        for decision in paused:
            self.assertIn(decision["epoch"], (1, 3))
            self.assertGreaterEqual(decision["fom"], decision["cut"])
        for i, record in enumerate(records):  # each promotion goes on with a trial its group had left
            if record["event"] == "trial_promoted":
                before = [r["event"] for r in records[:i] if r.get("trial") == record["trial"]]
                self.assertEqual(before[-1], "trial_parked")
        # Every epoch of every trial is reported once, continued trials included, and a promoted
        # trial's last result holds its whole curve: it went on from its checkpoint.
        reports = [(r["trial"], r["epoch"]) for r in records if r["event"] == "epoch_finished"]
        self.assertEqual(len(reports), len(set(reports)))
        promoted_to_the_end = [t for t in set(promoted) if finished[t]["status"] == "ok"]
        self.assertTrue(promoted_to_the_end)
        for trial in promoted_to_the_end:
            curve = [r["fom"] for r in records if r["event"] == "epoch_finished" and r["trial"] == trial]
            self.assertEqual(finished[trial]["epoch_foms"][0], curve)
            self.assertEqual(len(curve), 9)
        # The trials still paused at the end finish as stopped, at the epoch of their last pause.
        last_pause = {}
        for r in records:
            if r["event"] == "trial_paused":
                last_pause[r["trial"]] = r
        stopped = {t: r for t, r in finished.items() if r["status"] == "stopped"}
        self.assertTrue(stopped)
        for trial, result in stopped.items():
            self.assertEqual((result["epoch"], result["fom"]), (last_pause[trial]["epoch"], last_pause[trial]["fom"]))
            self.assertIn("not promoted before the search ended", result["reason"])
        self.assertEqual(records[-1]["summary"]["epochs"], len(reports))

    def test_a_promote_search_killed_and_resumed_keeps_its_rungs_and_ends_alike(self):
        spec = self.curve_spec({"kind": "asha", "mode": "promote"}, budget={"trials": 30},
                               duration_s={"distribution": "fixed", "value": 0.02})
        self.assertEqual(self.run_spec(spec, "--output", "straight").returncode, 0)
        self.kill_and_resume(spec, "trial_promoted", 2)
        outcome = lambda run: sorted((r["trial"], r["status"], r["fom"]) for r in self.journal(run) if r["event"] == "trial_finished")
        rungs = lambda run: sorted((r["trial"], r["epoch"], r["fom"], r["cut"]) for r in self.journal(run) if r["event"] == "trial_paused")
        promotions = lambda run: [r["trial"] for r in self.journal(run) if r["event"] == "trial_promoted"]
        self.assertEqual(outcome("killed"), outcome("straight"))
        self.assertEqual(rungs("killed"), rungs("straight"))
        self.assertEqual(promotions("killed"), promotions("straight"))

    def test_bayes_told_every_rung_resumes_to_the_same_suggestions(self):
        # The optimizer hears each trial at its rungs (rung_reached) and of its pauses: a resume
        # must tell it the same things in the same order to ask alike.
        spec = self.curve_spec({"kind": "asha", "mode": "promote", "tell_stopped": "rungs"}, budget={"trials": 24},
                               duration_s={"distribution": "fixed", "value": 0.02})
        spec["optimizer"] = {"kind": "bayes", "initial_points": 4}
        self.assertEqual(self.run_spec(spec, "--output", "straight").returncode, 0)
        records = self.journal("straight")
        rungs = [r for r in records if r["event"] == "rung_reached"]
        self.assertTrue(rungs)
        self.assertEqual({r["epoch"] for r in rungs}, {1, 3, 9})
        suggested = [r for r in records if r["event"] == "trial_suggested"]
        self.assertGreater(suggested[-1]["told"], len([r for r in records if r["event"] == "trial_finished"]))
        self.kill_and_resume(spec, "trial_suggested", 12)
        suggested = lambda run: {r["trial"]: r["params"] for r in self.journal(run) if r["event"] == "trial_suggested"}
        self.assertEqual(suggested("killed"), suggested("straight"))

    def test_early_stopping_problems_are_spec_errors(self):
        for early_stopping, message in [({"kind": "bohb"}, "early_stopping.kind: expected one of none, asha, hyperband, median"),
                                        ({"kind": "asha", "min_trials": 2}, "early_stopping.min_trials: applies to median only"),
                                        ({"kind": "median", "mode": "promote"}, "early_stopping.mode: applies to asha and hyperband only")]:
            with self.subTest(message=message):
                done = self.run_spec(self.curve_spec(early_stopping))
                self.assertEqual(done.returncode, 2)
                self.assertIn(message, done.stderr)


class SimulateTest(RunCase):
    def simulate(self, spec, *args, output="sim"):
        with open(self.path("spec.json"), "w") as f:
            json.dump(spec, f)
        return self.hpopt("simulate", "spec.json", "--output", output, *args)

    def test_fixed_trial_times_fill_the_groups_as_arithmetic_says_and_runs_repeat_exactly(self):
        # 10 trials of 60 s on 4 groups: three rounds, the last with 2 trials: 10 / 12 busy.
        spec = branin_spec(optimizer={"kind": "random"}, budget={"trials": 10})
        args = ("--groups", "4", "--trial-time-s", "60", "--spread", "0", "--free-coordinator")
        done = self.simulate(spec, *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"simulated 4 group\(s\) for 3\.0 min of virtual time .*: utilization 83\.3%, best branin \d")
        records = self.journal("sim")
        self.assertEqual(records[0]["simulation"], {"groups": 4, "trial_time_s": 60.0, "spread": 0.0, "free_coordinator": True})
        self.assertAlmostEqual(records[-1]["summary"]["elapsed_s"], 180, places=6)
        self.assertTrue(all(float(row["duration_s"]) == 60 for row in self.results("sim")))
        # The journal's times are virtual: 3 minutes after the first record.
        status = self.hpopt("status", "sim")
        self.assertIn("3.0 min of wall time", status.stdout)
        self.assertIn("10 finished of 10 (0 failed), 0 running; 4 group(s), utilization 83.3%", status.stdout)
        again = self.simulate(spec, *args, output="again")
        self.assertEqual(again.returncode, 0, again.stderr)
        def without_times(run):  # the records' stamps, and the optimizer's compute measured on the real clock
            records = [{k: v for k, v in r.items() if k != "time"} for r in self.journal(run)]
            del records[-1]["summary"]["model_s"]
            return records
        self.assertEqual(without_times("sim"), without_times("again"))

        def relative_times(run):
            stamps = [datetime.datetime.fromisoformat(r["time"].replace("Z", "+00:00")) for r in self.journal(run)]
            return [(t - stamps[0]).total_seconds() for t in stamps]
        for one, other in zip(relative_times("sim"), relative_times("again")):
            self.assertAlmostEqual(one, other, delta=0.002)  # milliseconds, from another start

    def test_bayes_batches_on_virtual_time_repeat_exactly(self):
        # The model's batches are ready when virtual time says so; with a free coordinator, at once.
        spec = branin_spec(optimizer={"kind": "bayes", "initial_points": 5}, budget={"trials": 40})
        args = ("--groups", "8", "--trial-time-s", "10", "--free-coordinator")
        for output in ("sim", "again"):
            done = self.simulate(spec, *args, output=output)
            self.assertEqual(done.returncode, 0, done.stderr)
        suggested = lambda run: [(r["trial"], r["point"], r["told"], r.get("pending")) for r in self.journal(run)
                                 if r["event"] == "trial_suggested"]
        self.assertEqual(suggested("sim"), suggested("again"))
        self.assertTrue(any(pending is None for *_, pending in suggested("sim")))  # batches of several

    def test_a_simulated_run_is_read_like_any_other_and_is_not_resumed(self):
        spec = branin_spec(optimizer={"kind": "bayes", "initial_points": 5}, budget={"trials": 60})
        done = self.simulate(spec, "--groups", "8", "--trial-time-s", "10")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"utilization \d+\.\d%, best branin \d")
        self.assertEqual(len(self.results("sim")), 60)
        self.assertEqual(self.hpopt("report", "sim").returncode, 0)
        self.assertTrue(os.path.exists(self.path("sim", "report.html")))
        exported = self.hpopt("export", "sim", "--format", "json")
        self.assertEqual(exported.returncode, 0, exported.stderr)
        refused = self.hpopt("resume", "sim")
        self.assertEqual(refused.returncode, 2)
        self.assertIn("is a simulation (hpopt simulate): nothing to resume", refused.stderr)

    def test_evolution_keeps_many_groups_busy_in_either_mode(self):
        # 200 trials of 60 s on 64 groups: every free group gets an individual at once (200 of
        # 4 x 64 group-rounds busy). Steady state (the default with several groups) breeds each
        # from the population as it stands; generational hands out a generation of 20 and extras
        # while its stragglers run.
        spec = branin_spec(optimizer={"kind": "evolution"}, budget={"trials": 200})
        args = ("--groups", "64", "--trial-time-s", "60", "--spread", "0", "--free-coordinator")
        for mode in ("steady_state", "generational"):
            if mode == "generational":
                spec["optimizer"]["mode"] = mode
            done = self.simulate(spec, *args, output=mode)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("utilization 78.1%", done.stdout)

    def test_early_stopping_on_virtual_time_ends_stopped_trials_early(self):
        spec = branin_spec(optimizer={"kind": "random"}, budget={"trials": 40}, early_stopping={"kind": "asha", "mode": "promote"},
                           workload={"plugin": "analytic", "function": "branin", "epochs": 9, "curve_gap": 50})
        done = self.simulate(spec, "--groups", "4", "--trial-time-s", "90", "--spread", "0", "--free-coordinator")
        self.assertEqual(done.returncode, 0, done.stderr)
        records = self.journal("sim")
        self.assertTrue(any(r["event"] == "trial_promoted" for r in records))
        rows = self.results("sim")
        full = [float(r["duration_s"]) for r in rows if r["status"] == "ok"]
        self.assertTrue(full)
        # 10 s an epoch: a trial trained to its end spent 90 s over its runs; paused ones less.
        runs = {}
        for record in records:
            if record["event"] == "epoch_finished":
                runs.setdefault(record["trial"], []).append(record["epoch"])
        self.assertTrue(all(epochs == list(range(1, len(epochs) + 1)) for epochs in runs.values()))
        self.assertLess(sum(len(e) for e in runs.values()), 40 * 9)

if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
