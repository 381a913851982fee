"""The SDK stays at the edge: only bot/teams/ imports the Agents SDK; layers keep their places."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The Microsoft 365 Agents SDK: only bot/teams/ may import it.
AGENTS_SDK = ("microsoft_agents",)
# Gone with the move to the Agents SDK: nothing may import them again.
RETIRED = ("botbuilder", "botframework", "msrest")
# The web framework: the edge, the app's wiring, the jobs' timer and the other web routes.
WEB = ("aiohttp",)
EDGE = ("bot/teams/",)
WEB_ALLOWED = ("bot/teams/", "bot/app.py", "bot/jobs/timer.py", "bot/web/")
PACKAGES = ("bot", "cards", "dialogs", "storage", "manifest")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def offenders(
    roots: tuple[str, ...], modules: tuple[str, ...], allowed: tuple[str, ...]
) -> list[str]:
    found = []
    for folder in roots:
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(allowed) or "/migrations/" in relative:
                continue
            bad = sorted(m for m in imported_modules(path) if m.split(".")[0] in modules)
            if bad:
                found.append(f"{relative}: {', '.join(bad)}")
    return found


def test_only_the_edge_imports_the_agents_sdk() -> None:
    found = offenders(PACKAGES, AGENTS_SDK, EDGE)
    assert not found, "Agents SDK imports outside bot/teams/:\n" + "\n".join(found)


def test_only_the_web_layer_imports_aiohttp() -> None:
    found = offenders(PACKAGES, WEB, WEB_ALLOWED)
    assert not found, "aiohttp imports outside the web layer:\n" + "\n".join(found)


def test_nothing_imports_the_retired_bot_framework_sdk() -> None:
    found = offenders((*PACKAGES, "tests", "benchmarks"), RETIRED, ("benchmarks/harness/",))
    assert not found, "botbuilder / msrest imports:\n" + "\n".join(found)


def test_plan_imports_neither_sqlalchemy_nor_storage() -> None:
    found = offenders(("bot/plan",), ("sqlalchemy", "storage"), ())
    assert not found, "bot/plan must stay pure:\n" + "\n".join(found)


def test_cards_and_dialogs_do_not_import_storage() -> None:
    found = offenders(("cards", "dialogs"), ("storage", "sqlalchemy"), ())
    assert not found, "cards/dialogs reach into storage:\n" + "\n".join(found)


def test_plan_cards_dialogs_and_storage_do_not_import_the_edge() -> None:
    for folder in ("cards", "dialogs", "storage", "bot/plan"):
        for path in (ROOT / folder).rglob("*.py"):
            edge = [
                m
                for m in imported_modules(path)
                if m.startswith(("bot.teams", "bot.app", "bot.jobs"))
            ]
            assert not edge, f"{path.relative_to(ROOT)} imports {edge}"


PACKAGES = ("bot", "cards", "dialogs", "storage", "manifest")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_modules() -> dict[str, Path]:
    found = {}
    for folder in PACKAGES:
        for path in (ROOT / folder).rglob("*.py"):
            if "/migrations/" not in path.as_posix():
                found[_module_name(path)] = path
    return found


def _imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports, anywhere in it (``from a import b``: a.b when a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n in modules and modules[n].name != "__init__.py"}


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in (ROOT / folder).rglob("*.py"):
        bad = sorted(m for m in imported_modules(path) if m == forbidden or m.startswith(forbidden))
        bad = [m for m in bad if m.split(".")[0] in forbidden]
        if bad:
            found.append(f"{path.relative_to(ROOT)}: {', '.join(bad)}")
    return found


def test_the_plan_core_imports_no_sqlalchemy_and_no_storage() -> None:
    offenders = _offenders("bot/plan", ("sqlalchemy", "storage"))
    assert not offenders, "bot/plan must stay plain data and rules:\n" + "\n".join(offenders)


def test_handlers_reach_the_database_only_through_the_stores() -> None:
    offenders = _offenders("bot/handlers", ("sqlalchemy", "storage"))
    assert not offenders, "handlers import the database:\n" + "\n".join(offenders)


def test_cards_and_dialogs_import_no_storage() -> None:
    offenders = _offenders("cards", ("storage", "sqlalchemy")) + _offenders(
        "dialogs", ("storage", "sqlalchemy")
    )
    assert not offenders, "cards and dialogs are pure:\n" + "\n".join(offenders)


def test_no_module_imports_itself_through_others() -> None:
    modules = _project_modules()
    graph = {name: _imports_of(path, modules) - {name} for name, path in modules.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_import_reader_sees_late_imports() -> None:
    # The check above could pass by finding nothing at all: it must see imports in functions.
    modules = _project_modules()
    assert "bot.app" in _imports_of(ROOT / "bot/cli.py", modules)  # a late import
    assert "bot.handlers.lists" in _imports_of(ROOT / "bot/routes.py", modules)
