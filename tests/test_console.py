"""``python -m bot ask`` on a fresh data directory, as a newcomer or a script would run it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_support import run_bot_cli


def numbers(output: str) -> list[str]:
    return [line.split("**")[1] for line in output.splitlines() if line.startswith("**")]


def test_ask_overdue_for_a_body_and_for_me(tmp_path: Path) -> None:
    done = run_bot_cli(["ask", "what's overdue for OPCCN?", "--as-of", "2022-06-01"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert numbers(done.stdout) == ["1.4"]
    assert "Overdue: OPCCN" in done.stdout

    members = tmp_path / "members.csv"
    members.write_text("email,body,role\nanalyst@opccn.example,OPCCN,member\n", encoding="utf-8")
    loaded = run_bot_cli(["members", str(members)], tmp_path)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    mine = run_bot_cli(
        [
            "ask",
            "what's overdue for me?",
            "--user",
            "analyst@opccn.example",
            "--as-of",
            "2022-06-01",
        ],
        tmp_path,
    )
    assert mine.returncode == 0, mine.stderr
    assert numbers(mine.stdout) == ["1.4"]


def test_ask_json_has_the_card(tmp_path: Path) -> None:
    done = run_bot_cli(["ask", "action 1.18", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    (activity,) = json.loads(done.stdout)
    # Run on today's date: the plan has ended, and the card says so under its heading, once.
    body = activity["attachments"][0]["content"]["body"]
    assert "ended on 31 March 2024" in body[1]["text"]
    card = activity["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"


def test_members_csv_with_a_bad_row_changes_nothing(tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text(
        "email,body,role\nok@x.example,OPCCN,member\nnot-an-email,NOWHERE,boss\n", encoding="utf-8"
    )
    done = run_bot_cli(["members", str(members)], tmp_path)
    assert done.returncode == 1
    assert "row 3: rejected" in done.stdout and "nothing was changed" in done.stdout
    mine = run_bot_cli(["ask", "my actions", "--user", "ok@x.example"], tmp_path)
    assert "Which bodies do you work for?" in mine.stdout
