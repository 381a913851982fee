"""The app package offers the tab: "My actions" (personal) and the plan dashboard (configurable).

The package is built by the real command (``tests/test_manifest.py``'s fixtures), which also
validates it against Microsoft's schema; here: the tabs point at the bot's own tab pages.
"""

from __future__ import annotations

from typing import Any

from tests.test_manifest import BOT_ID, ENV, manifest, package  # noqa: F401 (fixtures)

BASE = f"https://{ENV['BOT_DOMAIN']}"


def test_personal_tab_is_my_actions_beside_the_chat(manifest: dict[str, Any]) -> None:  # noqa: F811
    tabs = {tab["entityId"]: tab for tab in manifest["staticTabs"]}
    assert tabs["conversations"]["scopes"] == ["personal"]  # the bot's chat stays a tab
    mine = tabs["my-actions"]
    assert (mine["name"], mine["contentUrl"], mine["scopes"]) == (
        "My actions",
        f"{BASE}/tab/my",
        ["personal"],
    )


def test_dashboard_is_configurable_for_channels_chats_and_meetings(
    manifest: dict[str, Any],  # noqa: F811
) -> None:
    (tab,) = manifest["configurableTabs"]
    assert tab["configurationUrl"] == f"{BASE}/tab/config"
    assert {"channelTab", "meetingSidePanel", "meetingStage"} <= set(tab["context"])
    assert tab["meetingSurfaces"] == ["sidePanel", "stage"]
    permissions = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "MeetingStage.Write.Chat", "type": "Delegated"} in permissions


def test_single_sign_on_names_the_bots_app_registration(manifest: dict[str, Any]) -> None:  # noqa: F811
    assert manifest["webApplicationInfo"] == {
        "id": BOT_ID,
        "resource": f"api://{ENV['BOT_DOMAIN']}/{BOT_ID}",
    }
    assert ENV["BOT_DOMAIN"] in manifest["validDomains"]
