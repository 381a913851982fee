"""The SDK stays at the edge: only a few modules may import botbuilder or aiohttp."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDK = ("botbuilder", "botframework", "aiohttp", "msrest")
ALLOWED = ("bot/teams/", "bot/app.py", "bot/jobs/timer.py", "bot/jobs/sender.py", "bot/web/")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_edge_imports_the_sdk() -> None:
    offenders = []
    for folder in ("bot", "cards", "dialogs", "storage", "manifest"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(ALLOWED) or "/migrations/" in relative:
                continue
            sdk = sorted(m for m in imported_modules(path) if m.split(".")[0] in SDK)
            if sdk:
                offenders.append(f"{relative}: {', '.join(sdk)}")
    assert not offenders, "SDK imports outside the edge:\n" + "\n".join(offenders)


def test_plan_cards_dialogs_and_storage_do_not_import_the_edge() -> None:
    for folder in ("cards", "dialogs", "storage", "bot/plan"):
        for path in (ROOT / folder).rglob("*.py"):
            edge = [
                m
                for m in imported_modules(path)
                if m.startswith(("bot.teams", "bot.app", "bot.jobs"))
            ]
            assert not edge, f"{path.relative_to(ROOT)} imports {edge}"
