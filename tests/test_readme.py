"""Every ```python block of README.md runs, in order, in one namespace."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_starts_with_the_two_newcomer_commands():
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1).splitlines()
    assert first_block[0].startswith("pip install -e . && python -m ftrack_orm demo")
    assert first_block[1].startswith("pip install -e '.[test]' && pytest")


def test_readme_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FTRACK_ORM_CACHE_DIR", str(tmp_path))
    blocks = python_blocks()
    assert len(blocks) >= 6
    namespace: dict = {}
    for number, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {number + 1}", "exec"), namespace)
    assert "CommitResult" in capsys.readouterr().out
