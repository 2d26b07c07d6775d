"""The exported folder works where our package is not installed: Auto classes, pipeline, the card's snippet.

Each test runs a fresh interpreter from a throw-away virtual environment that sees the installed
third-party packages (transformers, torch, ...) but not this project, with HF_HUB_OFFLINE=1 and an
empty HF_HOME, in a temporary working directory.
"""

import json
import re
import subprocess
import sys
import sysconfig
import textwrap

import pytest


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A venv whose only link to the outside is a .pth line to site-packages (not processed further, so
    the editable install's finder of `modeling`/`tokenization` is not loaded)."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin" / "python"


def run_isolated(python, code, tmp_path, *args):
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf_home"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(python), "-c", code, *map(str, args)], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-5000:]
    return result.stdout


FRESH_PROCESS = textwrap.dedent("""
    import json, sys
    for package in ("modeling", "tokenization", "digit_reversal"):
        try:
            __import__(package)
        except ImportError:
            pass
        else:
            raise SystemExit(f"{package} is importable: the test would prove nothing")
    from transformers import AutoModel, AutoModelForSeq2SeqLM, AutoTokenizer, pipeline

    folder = sys.argv[1]
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=True)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder, trust_remote_code=True)
    inputs = tokenizer(["12345", "907", "2468"], padding=True, return_tensors="pt")
    greedy = tokenizer.batch_decode(model.generate(**inputs), skip_special_tokens=True)
    beam = tokenizer.batch_decode(model.generate(**inputs, num_beams=4), skip_special_tokens=True)
    base = AutoModel.from_pretrained(folder, trust_remote_code=True)
    reverser = pipeline("digit-reversal", model=folder, trust_remote_code=True)
    try:
        reverser("12a45")
        refused = None
    except ValueError as error:
        refused = str(error)
    print(json.dumps({
        "model_module": type(model).__module__, "base_class": type(base).__name__,
        "tokenizer_class": type(tokenizer).__name__, "greedy": greedy, "beam": beam,
        "pipeline_one": reverser("  12345 "), "pipeline_list": reverser(["907", "2468"], batch_size=2),
        "refused": refused,
    }))
""")


def test_fresh_environment_loads_and_generates_with_auto_classes_and_pipeline(bare_python, model_dir, tmp_path):
    result = json.loads(run_isolated(bare_python, FRESH_PROCESS, tmp_path, model_dir))
    assert result["model_module"].startswith("transformers_modules.")
    assert result["base_class"] == "VanillaTransformerModel"
    assert result["tokenizer_class"] == "TokenizersBackend"  # plain tokenizer.json, no code of ours
    assert result["greedy"] == result["beam"] == ["54321", "709", "8642"]
    assert result["pipeline_one"] == "54321" and result["pipeline_list"] == ["709", "8642"]
    assert "'a'" in result["refused"]


def test_model_card_usage_snippet_runs_in_a_fresh_environment(bare_python, model_dir, tmp_path):
    card = (model_dir / "README.md").read_text()
    snippet = re.search(r"## How to use.*?```python\n(.*?)```", card, re.S).group(1)
    repo_id = re.search(r'repo_id = "(.*?)"', snippet).group(1)
    output = run_isolated(bare_python, snippet.replace(repo_id, str(model_dir)), tmp_path)
    # The snippet's comments state what it prints.
    expected = [re.search(r"# (.*)$", line).group(1) for line in snippet.splitlines() if line.startswith("print(")]
    assert output.splitlines() == expected
