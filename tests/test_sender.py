"""The Teams sender's small decisions: Retry-After, no-answer cases, the proactive reference."""

from __future__ import annotations

import aiohttp
from aiohttp.client_reqrep import ConnectionKey

from bot.jobs.sender import retry_after_seconds
from bot.teams.proactive import _no_answer, proactive_reference
from storage.conversations import ReferenceRecord


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("0.5") == 0.5
    assert retry_after_seconds("-3") == 0.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    now = 1_700_000_000.0  # 14 Nov 2023 22:13:20 GMT
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:50 GMT", now) == 30.0


def test_no_answer_is_in_doubt_unless_the_connection_never_opened() -> None:
    key = ConnectionKey("127.0.0.1", 9, False, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))
    assert not _no_answer(refused).in_doubt
    assert not _no_answer(aiohttp.ConnectionTimeoutError("connect timeout")).in_doubt
    assert _no_answer(aiohttp.SocketTimeoutError("read timed out")).in_doubt
    assert _no_answer(aiohttp.ServerDisconnectedError()).in_doubt
    assert _no_answer(TimeoutError()).in_doubt


def test_proactive_reference_starts_a_new_post_in_the_channel() -> None:
    record = ReferenceRecord(
        id=1,
        conversation_id="19:abc@thread.tacv2",
        conversation_type="channel",
        tenant_id="t",
        service_url="https://smba.trafficmanager.net/uk/",
        team_id="team",
        user_aad_object_id=None,
        reference={
            "activityId": "1680000000000",
            "conversation": {"id": "19:abc@thread.tacv2;messageid=1680000000000"},
            "serviceUrl": "https://old.example/",
            "channelId": "msteams",
            "bot": {"id": "28:bot"},
        },
        active=True,
    )
    reference = proactive_reference(record)
    assert reference.activity_id is None
    assert reference.conversation.id == "19:abc@thread.tacv2"
    assert reference.service_url == "https://smba.trafficmanager.net/uk/"
