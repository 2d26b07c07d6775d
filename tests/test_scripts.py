"""The training pipeline through its scripts: corpus, training (resume, 2 processes), evaluation, export, upload."""

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from datasets import load_from_disk
from huggingface_hub import DatasetCard, ModelCard
from safetensors.torch import load_file

from conftest import REPO, TINY_CORPUS, TINY_MODEL, run_script
from digit_reversal.checkpoints import complete_checkpoints
from digit_reversal.corpus import CorpusSpec, build_corpus

MICRO_MODEL = "d_model=16,num_heads=2,d_ff=32,encoder_layers=1,decoder_layers=1"


# --- corpus -------------------------------------------------------------------------------------------

def test_corpus_is_deterministic_disjoint_and_in_range(tmp_path):
    spec = CorpusSpec(max_length=6, long_min_length=7, long_max_length=9, train_size=30_000,
                      validation_size=500, test_size=500, long_size=200, seed=3)
    first, second = build_corpus(spec, num_proc=2), build_corpus(spec, num_proc=1)
    other_seed = build_corpus(CorpusSpec(**{**spec.__dict__, "seed": 4}))
    for split in first:
        assert first[split]._fingerprint == second[split]._fingerprint != other_seed[split]._fingerprint
        assert first[split]["source"][:] == second[split]["source"][:]
        lengths = first[split]["length"][:]
        low, high = (7, 9) if split == "test_long" else (1, 6)
        assert low <= min(lengths) and max(lengths) <= high
        assert all(t == s[::-1] and len(s) == n for s, t, n in
                   zip(first[split]["source"][:], first[split]["target"][:], lengths))
    train = set(first["train"]["source"][:])
    assert not train & set(first["validation"]["source"][:])
    assert not train & set(first["test"]["source"][:])
    assert len(first["train"]) == 30_000 and len(first["test_long"]) == 200


def test_build_corpus_script_writes_identical_bytes_and_a_card(tmp_path):
    args = ["--max_length", "5", "--long_min_length", "6", "--long_max_length", "9", "--train_size", "2000",
            "--validation_size", "100", "--test_size", "100", "--long_size", "50", "--long_lengths", "6", "9"]
    for name in ("a", "b"):
        run_script("scripts/build_corpus.py", "--output_dir", tmp_path / name, *args)
    test_long = load_from_disk(str(tmp_path / "a" / "test_long"))
    assert sorted(test_long["length"][:]) == [6] * 25 + [9] * 25  # exactly the listed lengths, equally often
    for split in ("train", "validation", "test", "test_long"):
        data_a = (tmp_path / "a" / split / "data-00000-of-00001.arrow").read_bytes()
        assert data_a == (tmp_path / "b" / split / "data-00000-of-00001.arrow").read_bytes()
    assert load_from_disk(str(tmp_path / "a"))["train"].column_names == ["source", "target", "length"]
    card = DatasetCard.load(tmp_path / "a" / "README.md")
    assert card.data.license == "apache-2.0" and "synthetic" in card.data.tags
    assert "| test_long | 50 | 6, 9 |" in card.text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_bad_corpus_arguments_give_a_clear_error(tmp_path):
    result = run_script("scripts/build_corpus.py", "--output_dir", tmp_path / "c", "--max_length", "30", check=False)
    assert result.returncode != 0 and "must lie beyond the training lengths" in result.stderr
    assert "Traceback" not in result.stderr


# --- training -----------------------------------------------------------------------------------------

def _train_args(corpus, run_dir, *extra):
    return ["scripts/train.py", "--corpus_dir", str(corpus), "--output_dir", str(run_dir), "--config_overrides",
            MICRO_MODEL, "--eval_every", "1000", "--eval_size", "50", "--report_to", "none", *extra]


def _train(corpus, run_dir, *extra, **kwargs):
    return run_script(*_train_args(corpus, run_dir, *extra), **kwargs)


def _weights(run_dir, step):
    return load_file(str(run_dir / "checkpoints" / f"step_{step}" / "model.safetensors"))


def test_killed_training_resumes_from_latest_to_identical_weights(tiny_corpus, tmp_path):
    common = ["--max_steps", "60", "--checkpoint_every", "20", "--keep_checkpoints", "0", "--batch_size", "32"]
    _train(tiny_corpus, tmp_path / "straight", *common)

    # The same run, killed with SIGKILL once its step-20 checkpoint is complete, then resumed.
    run_dir = tmp_path / "killed"
    command = [sys.executable, *_train_args(tiny_corpus, run_dir, *common)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not complete_checkpoints(str(run_dir)) and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    steps_done = [step for step, _ in complete_checkpoints(str(run_dir))]
    assert steps_done and steps_done[-1] < 60, steps_done
    _train(tiny_corpus, run_dir, *common, "--resume_from_checkpoint", "latest")

    straight, resumed = _weights(tmp_path / "straight", 60), _weights(run_dir, 60)
    assert straight.keys() == resumed.keys()
    for name in straight:
        assert (straight[name] == resumed[name]).all(), name
    assert json.loads((run_dir / "model" / "results.json").read_text())["training"]["steps"] == 60


def test_resume_from_a_missing_checkpoint_is_a_clear_error(tiny_corpus, tmp_path):
    result = _train(tiny_corpus, tmp_path / "none", "--max_steps", "5", "--resume_from_checkpoint", "latest",
                    check=False)
    assert result.returncode != 0 and "no complete checkpoint" in result.stderr and "Traceback" not in result.stderr


def test_impossible_config_overrides_give_a_clear_error(tiny_corpus, tmp_path):
    result = run_script("scripts/train.py", "--corpus_dir", tiny_corpus, "--output_dir", tmp_path, "--max_steps", "1",
                        "--config_overrides", "d_model=30,num_heads=4", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "d_model (30) must be divisible by num_heads (4)" in result.stderr


def test_two_process_accelerate_launch_trains_on_separate_shards_and_exports(tiny_corpus, tmp_path):
    run_dir = tmp_path / "ddp"
    result = subprocess.run(
        [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
         "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "scripts/train.py",
         "--corpus_dir", str(tiny_corpus), "--output_dir", str(run_dir), "--config_overrides", MICRO_MODEL,
         "--max_steps", "30", "--batch_size", "16", "--eval_every", "1000", "--eval_size", "50",
         "--checkpoint_every", "15", "--report_to", "none"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    results = json.loads((run_dir / "model" / "results.json").read_text())
    assert results["training"]["processes"] == 2 and results["training"]["steps"] == 30
    assert (run_dir / "checkpoints" / "step_30" / "random_states_1.pkl").exists()  # one RNG state per process
    assert (run_dir / "model" / "model.safetensors").exists()


# --- evaluation, export, upload -----------------------------------------------------------------------

def test_evaluate_writes_json_by_length_and_a_plot(model_dir, tiny_corpus, tmp_path):
    result = run_script("scripts/evaluate.py", "--model", model_dir, "--corpus_dir", tiny_corpus,
                        "--output_dir", tmp_path, "--max_examples", "100", "--decodings", "greedy", "beam", "teacher_forced")
    report = json.loads(result.stdout)
    assert report == json.loads((tmp_path / "evaluation.json").read_text())
    assert set(report["splits"]) == {"validation", "test", "test_long"}
    for split in report["splits"].values():
        for decoding in ("greedy", "beam"):
            scores = split[decoding]
            assert 0 <= scores["exact_match"] <= scores["token_accuracy"] <= 1
            assert sum(s["examples"] for s in scores["by_length"].values()) == scores["examples"] == 100
        # one teacher-forced pass gives greedy exact match, length by length
        greedy, forced = split["greedy"]["by_length"], split["teacher_forced"]["by_length"]
        assert {n: s["exact_match"] for n, s in forced.items()} == {n: s["exact_match"] for n, s in greedy.items()}
    assert report["splits"]["test"]["greedy"]["exact_match"] > 0.9
    assert (tmp_path / "accuracy_by_length.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # two reports side by side: a markdown row per length and a plot
    result = run_script("scripts/compare_lengths.py", "--corpus_dir", tiny_corpus, "--output", tmp_path / "cmp.png",
                        f"a={tmp_path / 'evaluation.json'}", f"b={tmp_path / 'evaluation.json'}")
    test_long = report["splits"]["test_long"]["greedy"]["by_length"]
    length, scores = next(iter(test_long.items()))
    cell = f"{scores['exact_match']:.1%} / {scores['token_accuracy']:.2%}"
    assert f"| {length} | {cell} | {cell} |" in result.stdout
    assert (tmp_path / "cmp.png").read_bytes()[:4] == b"\x89PNG"


def test_evaluate_reports_a_broken_model_folder_in_one_line(tmp_path, tiny_corpus):
    result = run_script("scripts/evaluate.py", "--model", tmp_path, "--corpus_dir", tiny_corpus, check=False)
    assert result.returncode != 0 and result.stderr.strip().startswith("error:")
    assert "config.json is missing" in result.stderr and "Traceback" not in result.stderr


def test_training_logs_to_tensorboard_and_keeps_the_newest_checkpoints(trained_run):
    assert list((trained_run / "logs").rglob("events.out.tfevents*"))
    assert [p.name for p in sorted((trained_run / "checkpoints").iterdir())] == ["step_200", "step_400"]


def test_exported_folder_is_a_complete_hub_repo_with_a_filled_card(model_dir):
    files = {p.name for p in model_dir.iterdir()}
    assert {"model.safetensors", "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
            "configuration_vanilla_transformer.py", "modeling_vanilla_transformer.py",
            "pipeline_digit_reversal.py", "README.md", "results.json", "attention", "length_generalization.png"} <= files
    assert (model_dir / "attention" / "cross_attention.png").read_bytes()[:4] == b"\x89PNG"
    config = json.loads((model_dir / "config.json").read_text())
    assert config["auto_map"] == {
        "AutoConfig": "configuration_vanilla_transformer.VanillaTransformerConfig",
        "AutoModel": "modeling_vanilla_transformer.VanillaTransformerModel",
        "AutoModelForSeq2SeqLM": "modeling_vanilla_transformer.VanillaTransformerForConditionalGeneration",
    }
    assert config["custom_pipelines"]["digit-reversal"]["impl"] == "pipeline_digit_reversal.DigitReversalPipeline"

    card = ModelCard.load(model_dir / "README.md")
    assert "{{" not in card.content and "{%" not in card.content
    assert card.data.library_name == "transformers" and card.data.license == "apache-2.0"
    measured = json.loads((model_dir / "results.json").read_text())["results"]
    index = {(r.dataset_split, r.metric_type): r.metric_value for r in card.data.eval_results}
    assert index[("test", "exact_match")] == round(measured["test"]["exact_match"], 6)
    assert index[("test_long", "exact_match")] == round(measured["test_long"]["exact_match"], 6)
    assert f"{100 * measured['test']['exact_match']:.2f}%" in card.text
    for section in ("## How to use", "## Architecture", "## Training data and recipe", "## Evaluation",
                    "## Limitations"):
        assert section in card.text


def test_push_to_hub_dry_run_stages_exactly_the_exported_files(model_dir, tiny_corpus, tmp_path):
    staging = tmp_path / "staging"
    result = run_script("scripts/push_to_hub.py", model_dir, "--repo_id", "someone/reverser", "--dry_run",
                        "--dataset_dir", tiny_corpus, "--staging_dir", staging, env={"HF_TOKEN": ""})
    exported = sorted(str(p.relative_to(model_dir)) for p in model_dir.rglob("*") if p.is_file())
    staged = sorted(str(p.relative_to(staging / "model")) for p in (staging / "model").rglob("*") if p.is_file())
    assert staged == exported
    listed = [line.split(" -> model:someone/reverser/")[1] for line in result.stdout.splitlines()
              if " -> model:" in line]
    assert sorted(listed) == exported
    dataset_files = sorted(str(p.relative_to(staging / "dataset")) for p in (staging / "dataset").rglob("*"))
    assert "README.md" in dataset_files and "data/test_long-00000-of-00001.parquet" in dataset_files
    # The staged model folder is loadable on its own, in a fresh process.
    check = ("from transformers import pipeline; import sys; "
             "print(pipeline('digit-reversal', model=sys.argv[1], trust_remote_code=True)('2468'))")
    assert run_script("-c", check, staging / "model", cwd=tmp_path).stdout.strip() == "8642"


@pytest.mark.parametrize("repo_id, env, message", [
    ("not a repo id!", {}, "Bad repo id"),
    ("just-a-name", {}, "use NAMESPACE/NAME"),
    ("someone/reverser", {"HF_TOKEN": "", "HF_HUB_OFFLINE": "0", "HF_HOME": "/nonexistent"}, "No Hugging Face token"),
    ("someone/reverser", {"HF_HUB_OFFLINE": "1"}, "HF_HUB_OFFLINE is set"),
])
def test_push_to_hub_fails_fast_with_a_clear_message(model_dir, repo_id, env, message):
    started = time.time()
    result = run_script("scripts/push_to_hub.py", model_dir, "--repo_id", repo_id, env=env, check=False)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert time.time() - started < 60


@pytest.mark.slow
def test_reverse_coupled_positions_generalize_past_the_training_length_better(tiny_corpus, tmp_path):
    """Two runs that differ only in the position scheme, trained on 1..8 digits: on the 9..12-digit
    strings of test_long, coupled labels beat the paper's sinusoidal labels by a wide margin."""
    results = {}
    for scheme in ("sinusoidal", "reverse_coupled"):
        run_dir = tmp_path / scheme
        run_script("scripts/train.py", "--corpus_dir", tiny_corpus, "--output_dir", run_dir, "--max_steps", "800",
                   "--eval_every", "400", "--checkpoint_every", "800", "--report_to", "none", "--config_overrides",
                   f"{TINY_MODEL},position_scheme={scheme},max_position_label=32")
        results[scheme] = json.loads((run_dir / "model" / "results.json").read_text())["results"]
    assert results["reverse_coupled"]["test"]["token_accuracy"] >= 0.9  # it still learns the task in range
    long_coupled, long_sinusoidal = results["reverse_coupled"]["test_long"], results["sinusoidal"]["test_long"]
    assert long_coupled["token_accuracy"] > long_sinusoidal["token_accuracy"] + 0.3, (long_coupled, long_sinusoidal)
    assert long_coupled["exact_match"] > long_sinusoidal["exact_match"] + 0.2, (long_coupled, long_sinusoidal)


@pytest.mark.slow
def test_training_killed_several_times_at_random_moments_ends_bit_identical(tiny_corpus, tmp_path):
    common = ["--max_steps", "600", "--checkpoint_every", "25", "--keep_checkpoints", "2", "--batch_size", "32"]
    _train(tiny_corpus, tmp_path / "straight", *common)
    run_dir = tmp_path / "killed"
    command = [sys.executable, *_train_args(tiny_corpus, run_dir, *common)]
    rng = random.Random(0)
    kills = 0
    while kills < 3:
        done = complete_checkpoints(str(run_dir))
        resume = ["--resume_from_checkpoint", "latest"] if done else []
        process = subprocess.Popen(command + resume, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill at a random moment once this run has made progress (possibly mid-step or mid-save).
        deadline = time.time() + 120
        while complete_checkpoints(str(run_dir)) == done and process.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        if process.poll() is not None:
            break  # finished before the kill
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        for _, path in complete_checkpoints(str(run_dir)):  # every visible checkpoint is complete
            assert {"model.safetensors", "optimizer.bin", "scheduler.bin", "random_states_0.pkl"} <= {
                p.name for p in Path(path).iterdir()}
    assert kills == 3
    _train(tiny_corpus, run_dir, *common, "--resume_from_checkpoint", "latest")
    straight, resumed = _weights(tmp_path / "straight", 600), _weights(run_dir, 600)
    for name in straight:
        assert (straight[name] == resumed[name]).all(), name
