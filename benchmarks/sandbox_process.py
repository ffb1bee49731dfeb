"""A sandbox in a subprocess, for the benchmarks that measure it from outside."""
from __future__ import annotations

import subprocess
import sys
from typing import Dict, Optional, Sequence, Tuple

#: What ``python -m ftrack_orm.sandbox`` prints once it serves: ``NAME=value`` lines.
SETTINGS = ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY")


def start(arguments: Sequence[str] = (), wrapper: Sequence[str] = (), quiet: bool = False,
          cwd: Optional[str] = None) -> Tuple[subprocess.Popen[str], Dict[str, str]]:
    """``python -m ftrack_orm.sandbox --fixed-keys *arguments`` (run under ``wrapper``, e.g.
    valgrind) and its FTRACK_* settings, read from its banner; ``quiet``: its stderr is discarded."""
    process = subprocess.Popen([*wrapper, sys.executable, "-m", "ftrack_orm.sandbox", "--fixed-keys", *arguments],
                               cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None,
                               text=True)
    assert process.stdout is not None
    settings: Dict[str, str] = {}
    while len(settings) < len(SETTINGS):
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise RuntimeError("the sandbox process ended before serving")
        name, _, value = line.strip().partition("=")
        if name in SETTINGS:
            settings[name] = value
    return process, settings
