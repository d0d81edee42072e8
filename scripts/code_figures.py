"""Code-health figures: longest functions, largest modules, `actor`/`user` parameters typed Any or object (tests, migrations excluded). Run: python scripts/code_figures.py"""

import ast
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
funcs, mods, anys = [], [], []
for p in sorted(
    list(root.glob("panhuo/**/*.py")) + list(root.glob("engine/**/*.py")) + list(root.glob("config/**/*.py"))
):
    s = str(p)
    if "/tests/" in s or "/migrations/" in s:
        continue
    src = p.read_text()
    mods.append((src.count("\n"), s))
    tree = ast.parse(src)
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            funcs.append((n.end_lineno - n.lineno + 1, f"{s}:{n.lineno} {n.name}"))
            for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs:
                if (
                    a.arg in ("actor", "user")
                    and a.annotation is not None
                    and ast.unparse(a.annotation) in ("Any", "object", "Any | None", "object | None")
                ):
                    anys.append(f"{s}:{n.lineno} {n.name}({a.arg}: {ast.unparse(a.annotation)})")
funcs.sort(reverse=True)
mods.sort(reverse=True)
print(
    json.dumps(
        {"longest_functions": funcs[:5], "largest_modules": mods[:5], "any_actor_params": len(anys)},
        indent=1,
        ensure_ascii=False,
    )
)
by_app = {}
for a in anys:
    k = "/".join(a.split("/")[:2])
    by_app[k] = by_app.get(k, 0) + 1
print(by_app)
