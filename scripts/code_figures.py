"""Code-health figures (tests and migrations excluded): longest functions, largest modules, and `actor` / `user`
parameters annotated `Any` or `object`. Run from the repository root: `python scripts/code_figures.py`."""

import ast
import json
import pathlib

SOURCES = ("panhuo", "engine", "config")
LOOSE = {"Any", "object", "Any | None", "object | None"}

funcs: list[tuple[int, str]] = []
mods: list[tuple[int, str]] = []
loose: list[str] = []
for top in SOURCES:
    for path in sorted(pathlib.Path(top).rglob("*.py")):
        name = str(path)
        if "/tests/" in name or "/migrations/" in name:
            continue
        src = path.read_text(encoding="utf-8")
        mods.append((src.count("\n"), name))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                funcs.append(
                    ((node.end_lineno or node.lineno) - node.lineno + 1, f"{name}:{node.lineno} {node.name}")
                )
                args = node.args.args + node.args.kwonlyargs + node.args.posonlyargs
                for a in args:
                    if (
                        a.arg in ("actor", "user")
                        and a.annotation is not None
                        and ast.unparse(a.annotation) in LOOSE
                    ):
                        loose.append(name)
by_app: dict[str, int] = {}
for name in loose:
    app = "/".join(name.split("/")[:2])
    by_app[app] = by_app.get(app, 0) + 1
print(
    json.dumps(
        {
            "longest_functions": sorted(funcs, reverse=True)[:5],
            "largest_modules": sorted(mods, reverse=True)[:5],
            "loose_actor_params": len(loose),
            "loose_actor_params_by_app": by_app,
        },
        indent=1,
        ensure_ascii=False,
    )
)
