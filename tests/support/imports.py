"""The package modules a module imports, typing-only imports included (read from its source)."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Set

import ftrack_orm

PACKAGE = Path(ftrack_orm.__file__).resolve().parent


def imported_modules(module: str) -> Set[str]:
    """Dotted names of the ``ftrack_orm`` modules that ``module`` (``"ftrack_orm.x.y"``) imports."""
    parts = module.split(".")[1:]
    path = PACKAGE.joinpath(*parts).with_suffix(".py")
    if not path.exists():
        path = PACKAGE.joinpath(*parts, "__init__.py")
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module is None:
                found.update(f"{target}.{alias.name}" for alias in node.names)
            else:
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "ftrack_orm" or name.startswith("ftrack_orm.")}
