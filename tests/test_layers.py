"""The architecture, kept by a test: `cli -> progress -> content -> common`, one way only.

Every import is counted, function-level ones included, so a cycle cannot hide inside a function.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "scr_cpd"
# What each layer may import of ours; anything else is a layering error.
ALLOWED = {
    "common": {"common"},
    "content": {"common", "content"},
    "progress": {"common", "content", "progress"},
    "cli": {"common", "content", "progress", "cli"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every `scr_cpd...` module that `path` imports, at any depth of the file."""
    name = _module_name(path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("scr_cpd"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("scr_cpd"):
                continue
            found.add(module)
            for alias in node.names:  # `from scr_cpd.cli import learn` imports a module
                if (SRC / Path(*module.split("."), alias.name)).with_suffix(".py").exists():
                    found.add(f"{module}.{alias.name}")
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def test_every_module_is_in_a_layer():
    loose = [m for m in _graph() if m.count(".") >= 1 and _layer(m) is None]
    assert loose in ([], ["scr_cpd.__main__"]), (
        f"modules outside common/content/progress/cli: {loose}"
    )


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_is_below_it(layer):
    wrong = []
    for module, imports in _graph().items():
        if _layer(module) != layer:
            continue
        for target in imports:
            target_layer = _layer(target)
            if target_layer is not None and target_layer not in ALLOWED[layer]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _without_package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # `scr_cpd.x.y` importing `scr_cpd.x` (its package's __init__) is how Python loads it anyway.
    return {m: {t for t in imps if not m.startswith(t + ".")} for m, imps in graph.items()}


# Cycles still being taken apart; each entry is removed by the change that breaks it.
KNOWN_CYCLES = []


def test_no_import_cycles():
    cycles = [c for c in _cycles(_without_package_inits(_graph())) if c not in KNOWN_CYCLES]
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_layer_check_sees_function_level_imports(tmp_path):
    sample = PACKAGE / "content" / "_layer_probe.py"
    try:
        sample.write_text("def f():\n    from scr_cpd.cli import app\n", encoding="utf-8")
        assert "scr_cpd.cli.app" in _imports(sample)
    finally:
        sample.unlink()


# --- sizes a newcomer can read ------------------------------------------------------------------

MAX_FILE_LINES = 450
MAX_COMMAND_BODY_LINES = 30


def test_no_source_file_is_over_the_size_limit():
    big = [
        f"{p.relative_to(SRC)}: {n} lines"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    ]
    assert not big, f"split these (at most {MAX_FILE_LINES} lines):\n" + "\n".join(big)


def _is_command(node: ast.FunctionDef) -> bool:
    defaults = [*node.args.defaults, *node.args.kw_defaults]
    return any(
        isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("Option", "Argument")
        for d in defaults
    )


def test_typer_commands_stay_thin():
    long = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef) or not _is_command(node):
                continue
            body = node.body
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring is help text, not logic
            lines = (node.end_lineno or 0) - body[0].lineno + 1 if body else 0
            if lines > MAX_COMMAND_BODY_LINES:
                long.append(f"{path.name}:{node.name}: {lines} lines")
    assert not long, "move the work into the library:\n" + "\n".join(long)
