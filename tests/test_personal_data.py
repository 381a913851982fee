"""The personal-data guard: what looks like personal data in an update, and what does not."""

from __future__ import annotations

import pytest

from bot.plan.personal_data import (
    ADDRESS,
    DATE_OF_BIRTH,
    NAME,
    NHS_NUMBER,
    NI_NUMBER,
    PHONE,
    POLICE_REFERENCE,
    POSTCODE,
    find_personal_data,
    kinds_of,
    nhs_number_valid,
    summary,
)

FOUND = [
    ("Met Mrs Smith and her son to discuss the plan", NAME, "Mrs Smith"),
    ("Dr. O'Brien chaired the review", NAME, "Dr. O'Brien"),
    ("Spoke to Ms J. Patel about the referral", NAME, "Ms J. Patel"),
    ("Victim is Mr John Carter (see DHR)", NAME, "Mr John Carter"),
    ("Child's DOB: 12/03/2011, placed out of county", DATE_OF_BIRTH, "DOB: 12/03/2011"),
    ("date of birth 3rd May 2009", DATE_OF_BIRTH, "date of birth 3rd May 2009"),
    ("born in 1987 in Norwich", DATE_OF_BIRTH, "born in 1987"),
    ("Visited 14 Prince of Wales Road again", ADDRESS, "14 Prince of Wales Road"),
    ("Family moved to 22 Colman Road last week", ADDRESS, "22 Colman Road"),
    ("Lives in Flat 3 above the shop", ADDRESS, "Flat 3"),
    ("Address is in NR1 3QY", POSTCODE, "NR1 3QY"),
    ("cuckooing reported at nr2 4pz", POSTCODE, "nr2 4pz"),
    ("Postcode PE301AB flagged", POSTCODE, "PE301AB"),
    ("Call her on 07700 900123 after 5", PHONE, "07700 900123"),
    ("Landline 01603 123456", PHONE, "01603 123456"),
    ("Reach him on +44 7700 900123", PHONE, "+44 7700 900123"),
    ("NHS no 943 476 5919 on the referral", NHS_NUMBER, "943 476 5919"),
    ("NHS number 9434765919", NHS_NUMBER, "9434765919"),
    ("NI number AB 12 34 56 C held", NI_NUMBER, "AB 12 34 56 C"),
    ("Crime number 36/12345/24 linked", POLICE_REFERENCE, "Crime number 36/12345/24"),
    ("see 36/54321/23 for the incident", POLICE_REFERENCE, "36/54321/23"),
    ("CAD 4512 of 3 June refers", POLICE_REFERENCE, "CAD 4512"),
    ("incident ref NC-20240612 raised", POLICE_REFERENCE, "incident ref NC-20240612"),
]

NOT_FOUND = [
    "Action 1.18 on track: terms of reference agreed at the March meeting",
    "Meeting held on 12/03/2024; next one 14 May 2024",
    "Delivery slipped to 2025; the 2024/25 budget is agreed",
    "Presented at the Teams meeting; MS Teams channel set up",
    "Programs and items reviewed; 3 items closed, 12 open",
    "We may miss Norfolk's deadline unless the DASVG agrees",
    "Figures: 1,234 referrals, 0.5 FTE, up 12% on 2023",
    "Crime figures for 2024 fell; crime numbers rose in Q3 2024",
    "Police and crime plan refreshed for 2024-2028",
    "Training delivered to 120 staff over 3 sessions",
    "Reviewed 1.1, 1.2 and 2.10 with the Theme 2 leads",
    "Phase 2 of 3 as planned; 0-19 service engaged",
    "Ring 101 or 999 in an emergency",
    "Newborn and early years pathway agreed",
    "Call logged; 4 actions carried over",
    "NHS number format checks explained to 1234567890 staff",
]


@pytest.mark.parametrize(("text", "kind", "found"), FOUND)
def test_it_finds_what_looks_like_personal_data(text: str, kind: str, found: str) -> None:
    findings = find_personal_data(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]
    assert text[findings[0].start : findings[0].end] == found


@pytest.mark.parametrize("text", NOT_FOUND)
def test_ordinary_progress_text_is_left_alone(text: str) -> None:
    assert find_personal_data(text) == []


def test_several_findings_come_in_text_order_with_their_kinds() -> None:
    text = "Mrs Smith, NR1 3QY, tel 07700 900123"
    findings = find_personal_data(text)
    assert kinds_of(findings) == [NAME, POSTCODE, PHONE]
    assert summary(findings).startswith("a name after a title (“Mrs Smith”); a postcode")


def test_the_nhs_check_digit() -> None:
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("123456789")
