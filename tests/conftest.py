"""Shared fixtures: a tiny corpus and a tiny model trained for real through the scripts (about a minute)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TINY_MODEL = "d_model=64,num_heads=4,d_ff=256,encoder_layers=2,decoder_layers=2"
# Short strings keep the tiny run fast; test_long (9..12) still lies beyond the training lengths.
TINY_CORPUS = ["--max_length", "8", "--long_min_length", "9", "--long_max_length", "12", "--train_size", "20000",
               "--validation_size", "300", "--test_size", "300", "--long_size", "100"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def run_script(*args, env=None, check=True, timeout=600, cwd=REPO):
    """Run a python script of this repo in a fresh process; return the CompletedProcess."""
    result = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    corpus_dir = tmp_path_factory.mktemp("corpus") / "reversal"
    run_script("scripts/build_corpus.py", "--output_dir", corpus_dir, *TINY_CORPUS)
    return corpus_dir


@pytest.fixture(scope="session")
def trained_run(tiny_corpus, tmp_path_factory):
    """A run folder of scripts/train.py: checkpoints/, logs/ and the exported model/."""
    run_dir = tmp_path_factory.mktemp("run") / "tiny"
    run_script("scripts/train.py", "--corpus_dir", tiny_corpus, "--output_dir", run_dir, "--max_steps", "400",
               "--eval_every", "200", "--checkpoint_every", "200", "--config_overrides", TINY_MODEL)
    return run_dir


@pytest.fixture(scope="session")
def model_dir(trained_run):
    return trained_run / "model"


@pytest.fixture(scope="session")
def tokenizer():
    from tokenization import build_digit_tokenizer

    return build_digit_tokenizer()
