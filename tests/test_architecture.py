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
