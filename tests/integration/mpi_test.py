"""Integration tests of `hpopt run` under mpirun: layouts of 1 to 13 ranks, folds, failures,
time-outs, a wrong world size and a stop signal.

Usage: mpi_test.py PATH_TO_HPOPT [TrainingTest | TeamTest | SearchTest]  (all by default; meson runs
each as a test of its own, so that each stays well inside its time-out on a slow machine)
"""
import json
import os
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


def spec(layout, trials=30, **workload):
    return {
        "seed": 4,
        "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15}},
        "optimizer": {"kind": "random"},
        "budget": {"trials": trials},
        "layout": layout,
        "workload": dict({"plugin": "analytic", "function": "branin"}, **workload),
    }


class MpiCase(unittest.TestCase):
    """Runs `hpopt run` under mpirun in a fresh directory."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="hpopt_mpi_test_")
        self.addCleanup(self.dir.cleanup)

    def path(self, *parts):
        return os.path.join(self.dir.name, *parts)

    def command(self, ranks, document):
        with open(self.path("spec.json"), "w") as f:
            json.dump(document, f)
        return ["mpirun", "-np", str(ranks), HPOPT, "run", "spec.json", "--output", "run", "--force",
                "--progress-interval", "0.5"]

    def mpirun(self, ranks, document):
        return subprocess.run(self.command(ranks, document), capture_output=True, text=True, cwd=self.dir.name,
                              env=ENVIRONMENT, timeout=120 * TIME_SCALE)

    def journal(self):
        with open(self.path("run", "journal.jsonl")) as f:
            return [json.loads(line) for line in f]

    def finished_trials(self):
        try:
            return sum(1 for r in self.journal() if r["event"] == "trial_finished")
        except (OSError, ValueError):
            return 0  # not there yet, or a line being written

    def check_every_trial_once(self, records, trials):
        suggested = [r["trial"] for r in records if r["event"] == "trial_suggested"]
        finished = [r["trial"] for r in records if r["event"] == "trial_finished"]
        self.assertEqual(sorted(suggested), list(range(trials)))
        self.assertEqual(sorted(finished), list(range(trials)))

class TrainingTest(MpiCase):
    def test_a_search_stopped_with_teams_of_two_workers_resumes_with_one_and_its_trial_goes_on(self):
        document = {"seed": 4, "space": {"lr": {"type": "categorical", "choices": [0.05]}},
                    "optimizer": {"kind": "random"}, "budget": {"trials": 1},
                    "layout": {"groups": 1, "folds": 1, "workers": 2},
                    "training": {"epochs": 6, "batch_size": 8, "momentum": 0.9},  # about 2 s: time to stop it
                    "workload": {"plugin": "fashion_mlp", "layers": 2, "width": 256, "data": {"subset": 6000, "test_subset": 200}}}
        process = subprocess.Popen(self.command(3, document), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   cwd=self.dir.name, env=ENVIRONMENT)
        deadline = time.monotonic() + 60 * TIME_SCALE
        while time.monotonic() < deadline and not any(r["event"] == "epoch_finished" for r in self.records_so_far()):
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60 * TIME_SCALE)
        self.assertFalse(any(r["event"] == "trial_finished" for r in self.journal()), "the trial ended before the signal")
        resumed = subprocess.run(["mpirun", "-np", "2", HPOPT, "resume", "run", "--workers", "1"], capture_output=True, text=True,
                                 cwd=self.dir.name, env=ENVIRONMENT, timeout=120 * TIME_SCALE)
        self.assertEqual(resumed.returncode, 0, resumed.stdout + resumed.stderr)
        finished = [r for r in self.journal() if r["event"] == "trial_finished"]
        self.assertEqual([r["status"] for r in finished], ["ok"])
        resumed_record, = [r for r in self.journal() if r["event"] == "run_resumed"]
        self.assertEqual(resumed_record["in_flight"], [0])
        self.assertEqual((resumed_record["layout"]["groups"], resumed_record["layout"]["workers"]), (1, 1))
        with open(self.path("run", "logs", "rank-1.log")) as f:
            log = f.read()
        # Stopped inside an epoch: the lone worker goes on from the pair's sample, in its own steps.
        self.assertRegex(log, r"trial 0 fold 0: going on from its checkpoint after epoch [1-5] and \d+ step")
        self.assertRegex(log, r"a team of another size stopped after \d+ sample\(s\) of epoch [2-6]: going on at step \d+")
        # Not for a parameter server, whose workers do not hold the same state.
        document.update(layout={"groups": 1, "folds": 1, "masters": 1, "workers": 1}, training={"algorithm": "easgd", "epochs": 1})
        with open(self.path("ps.json"), "w") as f:
            json.dump(document, f)
        subprocess.run([HPOPT, "run", "ps.json", "--output", "ps", "--force", "--log-level", "error"], capture_output=True, text=True,
                       cwd=self.dir.name, env=ENVIRONMENT, timeout=120 * TIME_SCALE)
        refused = subprocess.run([HPOPT, "resume", "ps", "--workers", "2"], capture_output=True, text=True, cwd=self.dir.name,
                                 env=ENVIRONMENT, timeout=60 * TIME_SCALE)
        self.assertEqual(refused.returncode, 2, refused.stdout + refused.stderr)
        self.assertIn("hpopt resume: --workers applies to all-reduce training every step (data parallelism), with no masters",
                      refused.stderr)

    def records_so_far(self):
        try:
            return self.journal()
        except (OSError, ValueError):
            return []  # not there yet, or a line being written

    def test_a_model_trains_on_every_rank_of_its_fold_team_and_the_best_keeps_its_checkpoints(self):
        # 2 groups x 2 folds x 2 workers: each fold trained by all-reduce over 2 ranks.
        document = {
            "seed": 3,
            "space": {"lr": {"type": "real", "low": 0.01, "high": 0.2, "log": True},
                      "width": {"type": "int", "low": 16, "high": 64}},
            "optimizer": {"kind": "random"},
            "budget": {"trials": 4},
            "layout": {"groups": 2, "folds": 2, "masters": 0, "workers": 2},
            "training": {"epochs": 2, "batch_size": 32, "momentum": 0.9, "fom": "validation_error"},
            "workload": {"plugin": "fashion_mlp", "layers": 1, "data": {"subset": 1200, "test_subset": 1000}},
        }
        done = self.mpirun(9, document)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        records = self.journal()
        self.check_every_trial_once(records, 4)
        results = [r for r in records if r["event"] == "trial_finished"]
        self.assertTrue(all(r["status"] == "ok" for r in results), results)
        self.assertTrue(all(len(r["fold_foms"]) == 2 and 0 < r["fom"] < 0.6 for r in results), results)
        # Each fold's FoM after each of its 2 epochs, the last one the fold's FoM; each was
        # journaled as it happened, before its trial finished.
        for r in results:
            self.assertEqual([len(fold) for fold in r["epoch_foms"]], [2, 2])
            self.assertEqual([fold[-1] for fold in r["epoch_foms"]], r["fold_foms"])
            finished_at = records.index(r)
            epochs = [(i, e) for i, e in enumerate(records) if e["event"] == "epoch_finished" and e["trial"] == r["trial"]]
            self.assertEqual(sorted((e["fold"], e["epoch"]) for _, e in epochs), [(0, 1), (0, 2), (1, 1), (1, 2)])
            self.assertTrue(all(i < finished_at for i, _ in epochs))
            for _, e in epochs:
                self.assertEqual(e["fom"], r["epoch_foms"][e["fold"]][e["epoch"] - 1])
        best = min(results, key=lambda r: r["fom"])["trial"]
        # Only the best trial's checkpoints stay: a file per fold and rank of its team.
        self.assertEqual(os.listdir(self.path("run", "checkpoints")), ["trial-%d" % best])
        self.assertEqual(sorted(os.listdir(self.path("run", "checkpoints", "trial-%d" % best))),
                         ["fold-0.rank-0.pt", "fold-0.rank-1.pt", "fold-1.rank-0.pt", "fold-1.rank-1.pt"])
        with open(self.path("run", "test.json")) as f:
            test = json.load(f)
        self.assertEqual(test["trial"], best)
        self.assertEqual(test["test_samples"], 1000)
        self.assertGreater(test["test_accuracy"], 0.5)
        self.assertIn("test set, best trial %d" % best, done.stdout)
        # The progress lines show the latest epoch of a running trial; rank 0 logs them.
        progress = r"rank 0 \(coordinator\) info: \d/4 trials done, \d running, 0 failed.* \| trial \d+ fold [01] epoch [12]: 0\.\d+"
        self.assertRegex(done.stderr, progress)
        with open(self.path("run", "logs", "rank-0.log")) as f:
            self.assertRegex(f.read(), progress)
        # Each group leader logs its trials' results; nothing but warnings of theirs reaches stderr.
        for leader, group in ((1, 0), (5, 1)):
            with open(self.path("run", "logs", f"rank-{leader}.log")) as f:
                log = f.read()
            self.assertIn(f"rank {leader} (group {group} fold 0 worker 0.0) info: serving as its group's leader", log)
            self.assertRegex(log, r"info: trial \d: ok 0\.\d+ over 2 fold\(s\)")
        self.assertNotIn("rank 1 ", done.stderr)

    def early_stopping_document(self, seed, trials, early_stopping):
        return {
            "seed": seed,
            "space": {"lr": {"type": "real", "low": 1e-5, "high": 0.2, "log": True}},
            "optimizer": {"kind": "random"},
            "budget": {"trials": trials},
            "layout": {"groups": 1, "folds": 2, "masters": 0, "workers": 2},
            "early_stopping": early_stopping,
            "training": {"epochs": 4, "batch_size": 32, "momentum": 0.9, "fom": "validation_error"},
            "workload": {"plugin": "fashion_mlp", "layers": 1, "width": 32, "data": {"subset": 6000, "test_subset": 100}},
        }

    def test_early_stopping_stops_all_reduce_teams_of_every_fold_at_the_same_step(self):
        # 1 group x 2 folds x 2 workers; a learning rate from hopeless to good; ASHA with rungs at
        # epochs 1 and 2 of 4; epochs of about 50 ms, so that a stop arrives well before the end.
        document = self.early_stopping_document(2, 8, {"kind": "asha", "reduction_factor": 2})
        done = self.mpirun(5, document)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        records = self.journal()
        self.check_every_trial_once(records, 8)
        finished = {r["trial"]: r for r in records if r["event"] == "trial_finished"}
        decisions = {r["trial"]: r for r in records if r["event"] == "trial_stopped_early" and r["epoch"] < 4}
        self.assertTrue(decisions)
        for trial, decision in decisions.items():
            result = finished[trial]
            self.assertEqual((result["status"], result["epoch"], result["fom"]), ("stopped", decision["epoch"], decision["fom"]))
            # Both folds' teams left before their last epoch, each rank of a team at the same step.
            self.assertTrue(all(len(fold) < 4 for fold in result["epoch_foms"]), result)
        self.assertTrue(any(r["status"] == "ok" for r in finished.values()))
        self.assertNotIn("rank 0 of the fold team failed", done.stdout + done.stderr)

    def test_asha_promote_pauses_all_reduce_teams_mid_epoch_and_goes_on_where_they_stopped(self):
        # As above, in promote mode: a paused trial's teams checkpoint where they stop, and a
        # promoted one goes on from there on both folds, every rank of a team at the same step.
        document = self.early_stopping_document(1, 6, {"kind": "asha", "reduction_factor": 2, "mode": "promote"})
        done = self.mpirun(5, document)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        records = self.journal()
        self.check_every_trial_once(records, 6)
        promoted = [r["trial"] for r in records if r["event"] == "trial_promoted"]
        self.assertTrue(promoted)
        finished = {r["trial"]: r for r in records if r["event"] == "trial_finished"}
        for trial in set(promoted):
            if finished[trial]["status"] == "ok":  # every epoch of both folds, reported once
                self.assertEqual([len(fold) for fold in finished[trial]["epoch_foms"]], [4, 4])
        logs = ""
        for leader in (1, 3):  # the two fold leaders
            with open(self.path("run", "logs", f"rank-{leader}.log")) as f:
                logs += f.read()
        for trial in set(promoted):
            self.assertRegex(logs, rf"trial {trial} fold [01]: going on from its checkpoint after epoch \d+")
        self.assertRegex(logs, r"going on from its checkpoint after epoch \d+ and \d+ step\(s\) of the next")  # mid-epoch
        self.assertNotIn("rank 0 of the fold team failed", done.stdout + done.stderr)

    def test_a_parameter_server_trains_each_fold_with_its_master_and_workers(self):
        one_master = {"groups": 1, "folds": 1, "masters": 1, "workers": 2}
        sub_master = {"groups": 1, "folds": 1, "masters": 2, "workers": 2}
        for algorithm, layout in (("downpour", one_master), ("easgd", one_master), ("gem", one_master),
                                  ("downpour", sub_master)):
            with self.subTest(algorithm=algorithm, masters=layout["masters"]):
                document = {
                    "seed": 5,
                    "space": {"lr": {"type": "real", "low": 0.02, "high": 0.1, "log": True}},
                    "optimizer": {"kind": "random"},
                    "budget": {"trials": 2},
                    "layout": layout,
                    "training": {"algorithm": algorithm, "epochs": 2, "batch_size": 32, "momentum": 0.5},
                    "workload": {"plugin": "fashion_mlp", "layers": 1, "width": 32,
                                 "data": {"subset": 1200, "test_subset": 500}},
                }
                done = self.mpirun(1 + layout["masters"] + layout["workers"], document)
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                records = self.journal()
                results = [r for r in records if r["event"] == "trial_finished"]
                self.assertEqual([r["status"] for r in results], ["ok", "ok"], results)
                # The central model learns: its validation loss falls from epoch 1 to epoch 2.
                self.assertTrue(all(len(r["epoch_foms"][0]) == 2 and r["epoch_foms"][0][1] < r["epoch_foms"][0][0]
                                    for r in results), results)
                # Each epoch's record keeps the training loss and the staleness of the updates so far.
                epochs = [r for r in records if r["event"] == "epoch_finished"]
                self.assertEqual(len(epochs), 4)
                for e in epochs:
                    staleness = e["training"]["staleness"]
                    self.assertGreater(staleness["updates"], 0)
                    self.assertLessEqual(staleness["mean"], staleness["largest"])
                    self.assertGreater(e["training"]["training_loss"], 0)
                    self.assertEqual("sub_master_staleness" in e["training"], layout["masters"] > 1)
                with open(self.path("run", "test.json")) as f:
                    self.assertGreater(json.load(f)["test_accuracy"], 0.3)

class TeamTest(MpiCase):
    """Fold teams of several ranks: every shipped spec of them, synchronized batch normalization."""

    def test_every_shipped_spec_of_multi_rank_teams_runs(self):  # parameter servers, calo_gan's, sync-bn
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        names = [os.path.join(folder, name) for folder in ("configs", "examples")
                 for name in sorted(os.listdir(os.path.join(root, folder))) if name.endswith(".json")]
        ran = 0
        for name in names:
            with open(os.path.join(root, name)) as f:
                document = json.load(f)
            layout = document.get("layout", {})
            team = layout.get("masters", 0) + layout.get("workers", 1) * layout.get("ranks_per_worker", 1)
            if team == 1 or "training" not in document:
                continue
            with self.subTest(spec=name):
                document["budget"] = {"trials": 1}
                document["training"]["epochs"] = 1
                data = document["workload"].setdefault("data", {})
                if "simulate" in data:  # calo_gan's showers
                    data["simulate"].update(count=120, test_count=40)
                else:
                    data.update(subset=600, test_subset=300)
                done = self.mpirun(1 + layout.get("groups", 1) * layout.get("folds", 1) * team, document)
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                self.assertIn("best trial", done.stdout)
                ran += 1
        self.assertGreaterEqual(ran, 13)

    def test_synchronized_batch_norm_trains_a_team_of_two_as_one_rank_with_their_whole_batch(self):
        def document(workers, batch_size, sync=True):
            return {"seed": 6, "space": {"lr": {"type": "categorical", "choices": [0.05]}},
                    "optimizer": {"kind": "random"}, "budget": {"trials": 1},
                    "layout": {"groups": 1, "folds": 1, "workers": workers},
                    # Weight decay too: it must act once per step, whatever the team's size (not as a
                    # term of each rank's loss).
                    "training": {"epochs": 3, "batch_size": batch_size, "momentum": 0.9, "weight_decay": 0.01,
                                 "sync_batch_norm": sync},
                    "workload": {"plugin": "fashion_cnn", "conv_layers": 1, "channels": 4, "width": 16, "batch_norm": True,
                                 "data": {"subset": 600, "test_subset": 200}}}

        def epoch_foms(done):
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            return [r["fom"] for r in self.journal() if r["event"] == "epoch_finished"]

        with open(self.path("spec.json"), "w") as f:
            json.dump(document(1, 64), f)
        alone = epoch_foms(subprocess.run([HPOPT, "run", "spec.json", "--output", "run", "--force"], capture_output=True,
                                          text=True, cwd=self.dir.name, env=ENVIRONMENT, timeout=120 * TIME_SCALE))
        synchronized = epoch_foms(self.mpirun(3, document(2, 32)))
        unsynchronized = epoch_foms(self.mpirun(3, document(2, 32, sync=False)))
        self.assertEqual(len(alone), 3)
        for one, team in zip(alone, synchronized):
            self.assertAlmostEqual(one, team, delta=1e-4 * abs(one))
        self.assertGreater(max(abs(one - team) for one, team in zip(alone, unsynchronized)), 1e-3)


    def test_a_pipeline_of_two_workers_of_two_stages_trains_as_one_rank_with_their_whole_batch(self):
        def document(workers, ranks_per_worker, batch_size):
            training = {"epochs": 2, "batch_size": batch_size, "momentum": 0.9, "weight_decay": 0.01}
            if ranks_per_worker > 1:
                training.update(parallelism="pipeline", micro_batches=4, pipeline_schedule="1f1b")
            return {"seed": 6, "space": {"lr": {"type": "categorical", "choices": [0.05]}},
                    "optimizer": {"kind": "random"}, "budget": {"trials": 1},
                    "layout": {"groups": 1, "folds": 1, "workers": workers, "ranks_per_worker": ranks_per_worker},
                    "training": training,
                    "workload": {"plugin": "fashion_mlp", "layers": 2, "width": 64, "data": {"subset": 600, "test_subset": 200}}}

        def finished(done):
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            journal = self.journal()
            trial = [r for r in journal if r["event"] == "trial_finished"][0]
            return [r["fom"] for r in journal if r["event"] == "epoch_finished"], trial

        with open(self.path("spec.json"), "w") as f:
            json.dump(document(1, 1, 64), f)
        alone, alone_trial = finished(subprocess.run([HPOPT, "run", "spec.json", "--output", "run", "--force"], capture_output=True,
                                                     text=True, cwd=self.dir.name, env=ENVIRONMENT, timeout=120 * TIME_SCALE))
        with open(self.path("run", "test.json")) as f:
            alone_test = json.load(f)
        piped, piped_trial = finished(self.mpirun(5, document(2, 2, 32)))
        self.assertEqual(len(alone), 2)
        for one, pipeline in zip(alone, piped):
            self.assertAlmostEqual(one, pipeline, delta=1e-4 * abs(one))
        # The whole model's size, and the test set evaluated on the stages' checkpoints end to end.
        self.assertEqual(piped_trial["figures"]["parameters"], alone_trial["figures"]["parameters"])
        with open(self.path("run", "test.json")) as f:
            self.assertAlmostEqual(json.load(f)["test_loss"], alone_test["test_loss"], delta=1e-4 * alone_test["test_loss"])

    def test_an_elastic_team_trains_its_first_epoch_on_one_worker_then_on_two(self):
        for averaging in ("every_step", "kavg", "mavg"):
            with self.subTest(averaging=averaging):
                self.check_elastic_team(averaging)

    def check_elastic_team(self, averaging):
        def document(workers, schedule=None):
            training = {"epochs": 2, "batch_size": 32, "momentum": 0.9, "averaging": averaging, "averaging_period": 4}
            if schedule:
                training["learner_schedule"] = schedule
            return {"seed": 8, "space": {"lr": {"type": "categorical", "choices": [0.05]}},
                    "optimizer": {"kind": "random"}, "budget": {"trials": 1},
                    "layout": {"groups": 1, "folds": 1, "workers": workers}, "training": training,
                    "workload": {"plugin": "fashion_mlp", "layers": 1, "width": 32, "data": {"subset": 600, "test_subset": 100}}}

        def epoch_foms(done):
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            return [r["fom"] for r in self.journal() if r["event"] == "epoch_finished"]

        with open(self.path("spec.json"), "w") as f:
            json.dump(document(1), f)
        alone = epoch_foms(subprocess.run([HPOPT, "run", "spec.json", "--output", "run", "--force"], capture_output=True,
                                          text=True, cwd=self.dir.name, env=ENVIRONMENT, timeout=120 * TIME_SCALE))
        elastic = epoch_foms(self.mpirun(3, document(2, [{"epoch": 0, "workers": 1}, {"epoch": 1, "workers": 2}])))
        both = epoch_foms(self.mpirun(3, document(2)))
        # The first epoch: the second worker takes no share, so the team trains as one rank does.
        self.assertAlmostEqual(elastic[0], alone[0], delta=1e-5 * alone[0])
        self.assertGreater(abs(elastic[0] - both[0]), 1e-3)
        # The second: two workers, a batch of 64 a step: neither the lone rank's model nor the pair's.
        self.assertGreater(abs(elastic[1] - alone[1]), 1e-3)
        self.assertGreater(abs(elastic[1] - both[1]), 1e-3)


class SearchTest(MpiCase):
    def test_layouts_of_1_to_13_ranks_account_for_every_trial_and_average_folds(self):
        layouts = [
            (1, {}),
            (3, {"groups": 2}),
            (5, {"groups": 2, "folds": 2}),
            (9, {"groups": 2, "folds": 2, "workers": 2}),
            (13, {"groups": 2, "folds": 2, "masters": 1, "workers": 2}),
        ]
        for ranks, layout in layouts:
            with self.subTest(ranks=ranks):
                done = self.mpirun(ranks, spec(layout, noise=0.5))
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                records = self.journal()
                self.check_every_trial_once(records, 30)
                folds = layout.get("folds", 1)
                groups = {r["group"] for r in records if r["event"] == "trial_suggested"}
                self.assertEqual(groups, set(range(layout.get("groups", 1))))
                for record in records:
                    if record["event"] == "trial_finished":
                        self.assertEqual(len(record["fold_foms"]), folds)
                        self.assertAlmostEqual(record["fom"], sum(record["fold_foms"]) / folds, places=9)
                        if folds > 1:
                            self.assertGreater(record["fom_std"], 0)  # each fold draws its own noise
                self.assertEqual(records[-1]["summary"]["groups"], layout.get("groups", 1))

    def test_every_optimizer_runs_across_groups(self):
        # Bayes asks with pending points; generational evolution makes free groups wait.
        for optimizer in ({"kind": "bayes", "initial_points": 5}, {"kind": "evolution", "population": 6, "mode": "generational"},
                          {"kind": "evolution", "population": 6, "mode": "steady_state"}, {"kind": "sobol"},
                          {"kind": "cmaes"}):
            with self.subTest(optimizer=optimizer):
                document = spec({"groups": 4}, trials=30, duration_s={"distribution": "uniform", "low": 0, "high": 0.03})
                document["optimizer"] = optimizer
                done = self.mpirun(5, document)
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                records = self.journal()
                self.check_every_trial_once(records, 30)
                params = {json.dumps(r["params"]) for r in records if r["event"] == "trial_suggested"}
                self.assertEqual(len(params), 30)

    def test_early_stopping_judges_the_mean_of_the_folds_and_stops_every_fold(self):
        # 2 groups of 2 folds, teams of 2 ranks stepping together: the stop reaches both fold
        # leaders and each team leaves together.
        document = spec({"groups": 2, "folds": 2, "workers": 2}, trials=16, epochs=9, curve_gap=50, team=True, noise=0.5,
                        duration_s={"distribution": "fixed", "value": 0.02}, step_s=0.01)
        document["early_stopping"] = {"kind": "asha"}
        done = self.mpirun(9, document)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        records = self.journal()
        self.check_every_trial_once(records, 16)
        # A verdict at the last epoch comes when the trial has finished.
        decisions = {r["trial"]: r for r in records if r["event"] == "trial_stopped_early" and r["epoch"] < 9}
        self.assertTrue(decisions)
        for record in records:
            if record["event"] == "trial_finished" and record["trial"] in decisions:
                decision = decisions[record["trial"]]
                epochs = [r["fom"] for r in records if r["event"] == "epoch_finished" and r["trial"] == record["trial"]
                          and r["epoch"] == decision["epoch"]]
                self.assertEqual(len(epochs), 2)  # both folds, their mean judged
                self.assertAlmostEqual(decision["fom"], sum(epochs) / 2, places=9)
                self.assertEqual(record["status"], "stopped")
                self.assertEqual(record["fom"], decision["fom"])
                self.assertTrue(all(len(fold) < 9 for fold in record["epoch_foms"]))  # every fold stopped early

    def test_failed_and_timed_out_trials_do_not_stop_the_search(self):
        document = spec({"groups": 2}, trials=30, failure_rate=0.2,
                        duration_s={"distribution": "uniform", "low": 0.0, "high": 0.3})
        document["budget"]["trial_timeout_s"] = 0.15
        done = self.mpirun(3, document)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        records = self.journal()
        self.check_every_trial_once(records, 30)
        finished = sorted((r for r in records if r["event"] == "trial_finished"), key=lambda r: r["trial"])
        reasons = [r.get("reason", "") for r in finished]
        self.assertIn("injected failure (failure_rate 0.2)", reasons)
        self.assertIn("timed out after 0.15 s", reasons)
        first_timeout = reasons.index("timed out after 0.15 s")
        self.assertTrue(any(r["status"] == "ok" for r in finished[first_timeout + 1:]))
        for record in finished:
            if record.get("reason") == "timed out after 0.15 s":
                self.assertLess(record["duration_s"], 0.3)

    def test_a_wrong_world_size_is_an_error_without_a_hang(self):
        start = time.monotonic()
        done = self.mpirun(4, spec({"groups": 2}))
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("groups * folds * (masters + workers * ranks_per_worker) = 1 + 2 * 1 * (0 + 1 * 1) = 3 ranks; "
                      "run it with mpirun -np 3 (got 4)", done.stderr)
        self.assertLess(time.monotonic() - start, 60 * TIME_SCALE)
        self.assertFalse(os.path.exists(self.path("run")))

    def test_a_bad_spec_is_reported_once(self):
        document = spec({"groups": 2})
        document["budget"]["trials"] = 0
        done = self.mpirun(3, document)
        self.assertNotEqual(done.returncode, 0)
        self.assertEqual(done.stderr.count("budget.trials: must be >= 1 (got 0)"), 1)

    def test_sigterm_stops_dispatching_and_records_what_was_running(self):
        document = spec({"groups": 2}, trials=1000, duration_s=0.2)
        process = subprocess.Popen(self.command(3, document), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=self.dir.name, env=ENVIRONMENT)
        # Once some trials are done (MPI's start-up time varies from machine to machine).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.finished_trials() < 4:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60 * TIME_SCALE)
        records = self.journal()
        self.assertEqual(records[-1]["event"], "run_finished")
        self.assertEqual(records[-1]["stop_reason"], "interrupted")
        self.assertEqual(records[-2]["event"], "run_interrupted")
        suggested = {r["trial"] for r in records if r["event"] == "trial_suggested"}
        finished = {r["trial"] for r in records if r["event"] == "trial_finished"}
        self.assertLess(len(suggested), 1000)
        self.assertEqual(suggested - finished, set(records[-2]["unfinished_trials"]))


if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
