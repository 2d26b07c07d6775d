"""The README's Python examples run and print what their comments say."""

import re

import pytest

from conftest import REPO, run_script

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)


def expected_output(code):
    return [re.search(r"# (.*)$", line).group(1) for line in code.splitlines() if line.startswith("print(")]


def test_readme_has_the_two_commands_first():
    commands = re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert "scripts/main_job.sh" in commands[0] and "pytest" in commands[1]
    assert commands[1].strip() in (REPO / ".ci" / "run").read_text()


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_example(index, model_dir, tmp_path):
    code = BLOCKS[index].replace("outputs/reverser/model", str(model_dir))
    result = run_script("-c", code, cwd=tmp_path)
    assert result.stdout.splitlines() == expected_output(code)
