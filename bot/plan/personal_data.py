"""What looks like personal data in a progress update, found before it is saved.

Updates are about domestic homicide reviews, Prevent and exploitation: a partner may type a
victim's name, an address or a crime number without meaning to. :func:`find_personal_data`
finds what *looks like* personal data so that the person is asked to confirm or rephrase; it is
a set of patterns, run here, on this machine (nothing is sent anywhere), and it errs towards
asking: a false alarm costs a click, a missed name costs more. Ordinary progress text (action
numbers such as 1.18, years, meeting dates, "MS Teams") must not trigger it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

NAME = "name"
DATE_OF_BIRTH = "date_of_birth"
ADDRESS = "address"
POSTCODE = "postcode"
PHONE = "phone"
NHS_NUMBER = "nhs_number"
NI_NUMBER = "ni_number"
POLICE_REFERENCE = "police_reference"

# How each kind is named to the person who typed it.
LABELS = {
    NAME: "a name after a title",
    DATE_OF_BIRTH: "a date of birth",
    ADDRESS: "a street address",
    POSTCODE: "a postcode",
    PHONE: "a phone number",
    NHS_NUMBER: "an NHS number",
    NI_NUMBER: "a National Insurance number",
    POLICE_REFERENCE: "a police or crime reference",
}


@dataclass(frozen=True)
class Finding:
    """Something that looks like personal data: its kind and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        """The kind in words ("a postcode")."""
        return LABELS[self.kind]


# Lower-case "miss" and "ms" are left out: "we may miss Norfolk's deadline" names nobody.
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|MR|MRS|MISS|mr|mrs)"
_SURNAME = r"[A-Z](?:[a-z]+(?:['’-][A-Z]?[a-z]+)*|['’][A-Z][a-z]+)"
# A title, then one or two capitalised words ("Mr Smith", "Mrs J. Smith", "Dr O'Brien").
_TITLED_NAME = re.compile(
    rf"(?<![\w.]){_TITLE}\.?[ \t]+(?:[A-Z]\.?[ \t]+)?{_SURNAME}(?:[ \t]+{_SURNAME})?"
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_A_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{_MONTHS}"
    rf"[ \t,]+\d{{2,4}}|(?:19|20)\d\d)"
)
_DATE_OF_BIRTH = re.compile(
    rf"\b(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|born(?:[ \t]+(?:on|in))?)[ \t]*[:-]?[ \t]*"
    rf"{_A_DATE}",
    re.IGNORECASE,
)
_STREETS = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Court|Ct|Crescent|Place|"
    r"Gardens|Terrace|Grove|Square|Walk|Row|Mews|Rise|Hill|Green|Park)"
)
_ADDRESS = re.compile(
    rf"\b(?:\d{{1,4}}[A-Za-z]?,?[ \t]+(?:(?:[A-Z][a-z'’]+|of|the|and)[ \t]+){{1,4}}{_STREETS}\b\.?"
    r"|(?:Flat|Apartment)[ \t]+\d{1,4}[A-Za-z]?\b)"
)
# Royal Mail's outward and inward codes (the letters that never occur are left out).
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ \t]*\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_PHONE = re.compile(r"(?<![\w.])(?:\+44[ \t]?(?:\(0\)[ \t]?)?|0)\d[\d \t()-]{7,14}\d(?![\w.])")
_TEN_DIGITS = re.compile(r"(?<![\w./-])\d{3}[ \t-]?\d{3}[ \t-]?\d{4}(?![\w./-])")
_NI_NUMBER = re.compile(
    r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \t]?\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[A-D]\b",
    re.IGNORECASE,
)
# "crime number 36/12345/24", "CAD 1234 of 3 June", "incident ref NC-1234-2024", and the
# force/number/year shape on its own.
_POLICE_REFERENCE = re.compile(
    r"\b(?:(?:(?:crime|incident|occurrence|police|log)[ \t]*(?:ref(?:erence)?|no\.?|number|#)"
    r"|CAD|URN)[ \t]*[:#]?[ \t]*[A-Z]{0,4}[/-]?\d[\dA-Z/-]{3,}"
    r"|\d{2}/\d{3,7}/\d{2,4})\b",
    re.IGNORECASE,
)


def nhs_number_valid(digits: str) -> bool:
    """Whether ten digits pass the NHS number's modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _uk_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    if candidate.startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] in "1237"


def _nhs(candidate: str) -> bool:
    return nhs_number_valid(_digits(candidate))


def _postcode(candidate: str) -> bool:
    # Lower case "b1 2ab" is a postcode only when typed with its space; "MS Teams" never.
    return candidate.isupper() or bool(re.search(r"\d[ \t]+\d", candidate))


# (kind, pattern, extra check): the first kind to claim a stretch of text keeps it.
_RULES: tuple[tuple[str, re.Pattern[str], Callable[[str], bool] | None], ...] = (
    (NHS_NUMBER, _TEN_DIGITS, _nhs),
    (PHONE, _PHONE, _uk_phone),
    (DATE_OF_BIRTH, _DATE_OF_BIRTH, None),
    (POLICE_REFERENCE, _POLICE_REFERENCE, None),
    (NI_NUMBER, _NI_NUMBER, None),
    (ADDRESS, _ADDRESS, None),
    (POSTCODE, _POSTCODE, _postcode),
    (NAME, _TITLED_NAME, None),
)


def _candidates(text: str) -> Iterator[Finding]:
    for kind, pattern, check in _RULES:
        for match in pattern.finditer(text):
            found = match.group(0).strip()
            if check is None or check(found):
                yield Finding(kind, match.start(), match.start() + len(found), found)


def find_personal_data(text: str) -> list[Finding]:
    """Everything in ``text`` that looks like personal data, in the order it appears.

    Overlapping matches are reported once, as the kind listed first in ``_RULES`` (a valid
    NHS number is not also a phone number).
    """
    kept: list[Finding] = []
    for finding in _candidates(text):
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def kinds_of(findings: list[Finding]) -> list[str]:
    """The distinct kinds found, in order (for the audit log, which keeps no matched text)."""
    return list(dict.fromkeys(f.kind for f in findings))


def summary(findings: list[Finding], *, limit: int = 5) -> str:
    """What was found, for the person to check: “a postcode (NR1 2AB); a phone number (…)”."""
    parts = [f"{f.label} (“{f.text[:40]}”)" for f in findings[:limit]]
    more = len(findings) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
