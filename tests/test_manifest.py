"""The Teams app package: built from .env, valid against Microsoft's own schema, real icons."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from copy import deepcopy
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from PIL import Image

from bot import routes
from bot.plan.body_names import BodyIndex
from bot.understand import Vocabulary, understand
from manifest.build import SCHEMAS, TEMPLATE, build_manifest, schema_errors
from manifest.settings import PackageError, package_settings

ROOT = Path(__file__).resolve().parent.parent
BOT_ID = "5f1c2a9e-0b7d-4c1e-9a43-2e6f8d0c7b11"
APP_ID = "a7d3e1f0-4c2b-4b8e-8f1a-6c9d0e2b3a44"
ENV = {
    "MicrosoftAppId": BOT_ID,
    "TEAMS_APP_ID": APP_ID,
    "BOT_DOMAIN": "saferbot.norfolk.example",
    "APP_WEBSITE_URL": "https://www.norfolk.example/safer",
    "APP_PRIVACY_URL": "https://www.norfolk.example/privacy",
    "APP_TERMS_URL": "https://www.norfolk.example/terms",
}
# Each command in the menu, and the intent the bot takes it to mean.
COMMAND_INTENTS = {
    "help": "help",
    "overdue": "overdue",
    "my actions": "my_actions",
    "due": "due",
    "priorities": "priorities",
    "actions": "actions",
    "status": "status",
    "meetings": "meetings",
    "update": "update",
    "report": "report",
    "my bodies": "my_bodies",
}
# Prompt starters (``type: "prompt"``): the question Teams sends, and the intent it must reach.
PROMPT_INTENTS = {
    "What's overdue for me?": "overdue",
    "What's due next month?": "due",
    "What are the priorities?": "priorities",
}


def build(
    tmp_path: Path, env: dict[str, str], env_file: str = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m manifest build`` with only ``env`` (and an optional .env file)."""
    dotenv = tmp_path / ".env"
    dotenv.write_text(env_file, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "manifest",
            "build",
            "--output",
            str(tmp_path / "appPackage.zip"),
            "--env-file",
            str(dotenv),
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of a package built by the real command."""
    tmp = tmp_path_factory.mktemp("package")
    done = build(tmp, ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp / "appPackage.zip")
    assert "valid against the official schema" in done.stderr
    with zipfile.ZipFile(tmp / "appPackage.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def manifest(package: dict[str, bytes]) -> dict[str, Any]:
    return dict(json.loads(package["manifest.json"]))


def rgba(image: Image.Image) -> list[tuple[int, ...]]:
    """Every pixel as (r, g, b, a)."""
    raw = image.convert("RGBA").tobytes()
    return [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]


def official_schema(manifest: dict[str, Any]) -> dict[str, Any]:
    version = manifest["manifestVersion"]
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    )
    path = SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json"
    return dict(json.loads(path.read_text(encoding="utf-8-sig")))


def test_package_holds_the_manifest_and_icons_at_its_root(package: dict[str, bytes]) -> None:
    assert sorted(package) == ["color.png", "manifest.json", "outline.png"]


def test_manifest_is_valid_against_microsofts_schema(manifest: dict[str, Any]) -> None:
    schema = official_schema(manifest)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator(schema).validate(manifest)
    version = tuple(int(part) for part in manifest["manifestVersion"].split("."))
    assert version >= (1, 29)


def test_manifest_is_on_the_newest_schema_the_validator_bundles(manifest: dict[str, Any]) -> None:
    bundled = [
        tuple(int(part) for part in path.name[1:].split("."))
        for path in SCHEMAS.iterdir()
        if path.name[1:2].isdigit()
    ]
    newest = ".".join(str(part) for part in max(bundled))
    assert manifest["manifestVersion"] == newest


def test_schema_check_catches_what_teams_would_refuse(manifest: dict[str, Any]) -> None:
    schema_path = SCHEMAS / f"v{manifest['manifestVersion']}" / "MicrosoftTeams.schema.json"
    broken = deepcopy(manifest)
    commands = broken["bots"][0]["commandLists"][0]["commands"]
    commands.extend([{"title": f"extra {n}", "description": "too many"} for n in range(13)])
    broken["accentColor"] = "blue"
    problems = "\n".join(schema_errors(broken, schema_path))
    assert "accentColor" in problems and "commands" in problems


def test_filled_in_from_the_environment(manifest: dict[str, Any]) -> None:
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["validDomains"] == ["saferbot.norfolk.example"]
    assert manifest["developer"] == {
        "name": "NCCSP",
        "websiteUrl": ENV["APP_WEBSITE_URL"],
        "privacyUrl": ENV["APP_PRIVACY_URL"],
        "termsOfUseUrl": ENV["APP_TERMS_URL"],
    }
    assert manifest["name"]["short"] == "Safer Partnership"
    assert manifest["version"] == "1.0.0"
    assert "${{" not in json.dumps(manifest)


def test_bot_is_usable_in_chats_channels_and_meetings(manifest: dict[str, Any]) -> None:
    (bot,) = manifest["bots"]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    # Meeting chats are group chats (channel meetings: the team scope); bot first in meetings.
    assert manifest["defaultGroupCapability"]["meetings"] == "bot"
    covered = sorted(scope for entry in bot["commandLists"] for scope in entry["scopes"])
    assert covered == ["groupChat", "personal", "team"]


def test_the_bot_can_be_added_to_shared_and_private_channels(manifest: dict[str, Any]) -> None:
    # Partners from other organisations meet in shared channels (Teams Connect).
    assert manifest["supportsChannelFeatures"] == "tier1"
    assert set(manifest["supportedChannelTypes"]) == {"sharedChannels", "privateChannels"}


def test_commands_are_what_the_bot_understands(manifest: dict[str, Any]) -> None:
    vocabulary = Vocabulary(BodyIndex([]))
    for entry in manifest["bots"][0]["commandLists"]:
        assert 0 < len(entry["commands"]) <= 12
        for command in entry["commands"]:
            title = command["title"]
            assert len(title) <= 32 and 0 < len(command["description"]) <= 128
            if command.get("type") == "prompt":
                assert command["prompt"] == title  # what is shown is what is asked
                expected = PROMPT_INTENTS[title]
            else:
                expected = COMMAND_INTENTS[title]
            meant = understand(command.get("prompt", title), vocabulary, date(2026, 1, 5)).name
            assert meant == expected, title
            assert meant in {r.match for r in routes.INTENTS}, f"{title}: no handler answers it yet"


def test_personal_chat_offers_prompt_starters_for_the_common_questions(
    manifest: dict[str, Any],
) -> None:
    (personal,) = [e for e in manifest["bots"][0]["commandLists"] if "personal" in e["scopes"]]
    prompts = [c["prompt"] for c in personal["commands"] if c.get("type") == "prompt"]
    assert prompts == list(PROMPT_INTENTS)
    # Personal answers in shared chats are targeted messages; the shared-chat commands are
    # also slash commands (/overdue, /status, /update 1.18), which need targeted messages.
    bot = manifest["bots"][0]
    assert bot["supportsTargetedMessages"] is True
    (shared,) = [e for e in bot["commandLists"] if "groupChat" in e["scopes"]]
    assert shared["triggers"] == ["mention", "slash"]
    assert {"overdue", "status", "update"} <= {c["title"] for c in shared["commands"]}
    assert "triggers" not in personal  # no slash list in a 1:1 chat: it is private already


def test_names_and_descriptions_fit_teams_limits(manifest: dict[str, Any]) -> None:
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert len(manifest["developer"]["name"]) <= 32
    assert manifest["accentColor"].startswith("#") and len(manifest["accentColor"]) == 7


def test_color_icon_is_a_full_colour_192_square(package: dict[str, bytes]) -> None:
    image = Image.open(io.BytesIO(package["color.png"]))
    assert image.format == "PNG" and image.size == (192, 192)
    rgb = image.convert("RGB")
    colours = {colour for _, colour in rgb.getcolors(192 * 192) or []}
    hues = {(r // 64, g // 64, b // 64) for r, g, b in colours}
    assert len(hues) >= 4  # background, shield and coloured rings: not a flat or grey image
    assert rgb.getpixel((0, 0)) == rgb.getpixel((191, 191)) != (255, 255, 255)


def test_outline_icon_is_white_on_transparent_32_square(package: dict[str, bytes]) -> None:
    image = Image.open(io.BytesIO(package["outline.png"]))
    assert image.format == "PNG" and image.size == (32, 32) and image.mode == "RGBA"
    pixels = rgba(image)
    visible = [p for p in pixels if p[3] > 0]
    assert all(p[:3] == (255, 255, 255) for p in visible), "every visible pixel must be white"
    assert 0.1 < len(visible) / len(pixels) < 0.6
    assert sum(1 for p in pixels if p[3] == 255) > 50  # a drawing, not a faint haze
    for corner in ((0, 0), (31, 0), (0, 31), (31, 31)):
        assert image.getpixel(corner)[3] == 0


def differences(a: Image.Image, b: Image.Image) -> int:
    return sum(
        abs(x - y) for p, q in zip(rgba(a), rgba(b), strict=True) for x, y in zip(p, q, strict=True)
    )


def test_icons_are_the_ones_drawn_for_this_app() -> None:
    from manifest import icons

    # The committed PNGs are what manifest/icons.py draws (allowing another Pillow's rounding).
    assert differences(icons.outline_icon(), Image.open(icons.ICONS / "outline.png")) < 32 * 32
    assert differences(icons.color_icon(), Image.open(icons.ICONS / "color.png")) < 192 * 192


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"MicrosoftAppId": ""}, "MicrosoftAppId is missing"),
        ({"MicrosoftAppId": "my-bot"}, "MicrosoftAppId must be a GUID"),
        ({"TEAMS_APP_ID": "1234"}, "TEAMS_APP_ID must be a GUID"),
        ({"BOT_DOMAIN": ""}, "BOT_DOMAIN is missing"),
        ({"BOT_DOMAIN": "https://bot.example.org/api"}, "BOT_DOMAIN must be a host name"),
        ({"APP_PRIVACY_URL": ""}, "APP_PRIVACY_URL is missing"),
        ({"APP_WEBSITE_URL": "http://www.norfolk.example"}, "APP_WEBSITE_URL must be an https://"),
        ({"APP_TERMS_URL": "norfolk.example/terms"}, "APP_TERMS_URL must be an https://"),
        ({"APP_NAME_SHORT": "Norfolk Community Safety Partnership"}, "APP_NAME_SHORT is 36"),
        ({"APP_VERSION": "2"}, "APP_VERSION must look like 1.0.0"),
    ],
)
def test_refuses_and_names_the_variable(change: dict[str, str], variable: str) -> None:
    with pytest.raises(PackageError, match=variable):
        package_settings({**ENV, **change})


def test_command_refuses_without_an_id_and_writes_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "MicrosoftAppId"}
    done = build(tmp_path, env)
    assert done.returncode == 2
    assert "MicrosoftAppId is missing" in done.stderr
    assert not (tmp_path / "appPackage.zip").exists()


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = "".join(f"{k}={v}\n" for k, v in ENV.items()) + "APP_NAME_SHORT=From dotenv\n"
    done = build(tmp_path, {"BOT_DOMAIN": "env.norfolk.example"}, env_file=dotenv)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "appPackage.zip") as archive:
        built = json.loads(archive.read("manifest.json"))
    assert built["name"]["short"] == "From dotenv"
    assert built["validDomains"] == ["env.norfolk.example"]


def test_app_id_defaults_to_the_bot_id_and_domain_to_the_public_url() -> None:
    env = {k: v for k, v in ENV.items() if k not in ("TEAMS_APP_ID", "BOT_DOMAIN")}
    settings = package_settings({**env, "PUBLIC_BASE_URL": "https://Bot.Norfolk.example/"})
    built = build_manifest(settings, TEMPLATE)
    assert built["id"] == built["bots"][0]["botId"] == BOT_ID
    assert built["validDomains"] == ["bot.norfolk.example"]


def test_same_inputs_give_the_same_package(tmp_path: Path) -> None:
    first = build(tmp_path, ENV)
    data = (tmp_path / "appPackage.zip").read_bytes()
    second = build(tmp_path, ENV)
    assert first.returncode == second.returncode == 0
    assert (tmp_path / "appPackage.zip").read_bytes() == data


def test_compose_box_search_is_a_command_the_bot_answers(manifest: dict[str, Any]) -> None:
    (extension,) = manifest["composeExtensions"]
    assert extension["botId"] == manifest["bots"][0]["botId"]
    (command,) = extension["commands"]
    assert command["type"] == "query" and command["initialRun"] is True
    assert routes.search_handler(command["id"]) is not None
    assert [p["name"] for p in command["parameters"]] == ["query"]
    # Links on the bot's own domain unfurl into cards (composeExtension/queryLink).
    (handler,) = extension["messageHandlers"]
    assert handler["type"] == "link" and len(handler["value"]["domains"]) == 1
    assert manifest["staticTabs"][1]["contentUrl"].startswith(
        f"https://{handler['value']['domains'][0]}/"
    )
