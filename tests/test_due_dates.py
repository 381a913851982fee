"""Every date text of the seed plan, and the rules, as a table."""

from datetime import date

import pytest

from bot.plan.due_dates import DueDate, dates_in, interpret_due_text
from storage.plan_document import plan_from_data, read_yaml
from storage.seed_data import PLAN_FILES

D = date
# Every distinct date text in the seed plans (exactly as written), with what it must mean.
SEED_TEXTS: dict[str, DueDate] = {
    "October 2022": DueDate(D(2022, 10, 31), False),
    "Ongoing": DueDate(None, True),
    "Ongoing Engaging in national awareness events": DueDate(None, True),
    "September 2021 Ongoing": DueDate(D(2021, 9, 30), True),
    "July 2022": DueDate(D(2022, 7, 31), False),
    "April 2022 then Ongoing": DueDate(D(2022, 4, 30), True),
    "March 2023": DueDate(D(2023, 3, 31), False),
    "February 2022": DueDate(D(2022, 2, 28), False),
    "SSF 2/3 funding until March 2022 Ongoing": DueDate(D(2022, 3, 31), True),
    "October 2021": DueDate(D(2021, 10, 31), False),
    "June 2022 then ongoing": DueDate(D(2022, 6, 30), True),
    "Engagement plan in place by June 22 then ongoing": DueDate(D(2022, 6, 30), True),
    "Comms Plan in place by June 22 Then ongoing": DueDate(D(2022, 6, 30), True),
    "Annual review – July 2022": DueDate(D(2022, 7, 31), False),
    "April 2022": DueDate(D(2022, 4, 30), False),
    "Jan 2024": DueDate(D(2024, 1, 31), False),
    "Oct 2022": DueDate(D(2022, 10, 31), False),
    "2024": DueDate(D(2024, 12, 31), False),
    "Ongoing – - sexual violence and sexual abuse awareness week - 7th February - 13th "
    "February 2022": DueDate(None, True),
    "Ongoing - End of DAPO* pilot 2023 - Polygraph testing pilot 2023* *Not Norfolk-based "
    "pilots": DueDate(None, True),
    "Commencement of Serious Violence Duty (est. 2022-23)": DueDate(D(2023, 3, 31), False),
}

# The rules, one case each, beyond the seed texts.
RULE_CASES: dict[str, DueDate] = {
    "": DueDate(None, False, readable=False),
    "TBC": DueDate(None, False, readable=False),
    "-": DueDate(None, False, readable=False),
    "when funding allows": DueDate(None, False, readable=False),
    "soon": DueDate(None, False, readable=False),
    "Work continues, ongoing": DueDate(None, True),
    "2022-23": DueDate(D(2023, 3, 31), False),
    "2022/23": DueDate(D(2023, 3, 31), False),
    "2022/2023": DueDate(D(2023, 3, 31), False),
    "2021-24": DueDate(D(2024, 3, 31), False),  # a span of financial years
    "February 2024": DueDate(D(2024, 2, 29), False),  # leap year
    "13th February 2022": DueDate(D(2022, 2, 13), False),
    "13 Feb 2022": DueDate(D(2022, 2, 13), False),
    "2022-02-13": DueDate(D(2022, 2, 13), False),
    "13/02/2022": DueDate(D(2022, 2, 13), False),
    "31/02/2022": DueDate(None, False, readable=False),
    "7th February - 13th February 2022": DueDate(D(2022, 2, 13), False),
    "April - June 2022": DueDate(D(2022, 6, 30), False),
    "April 2022 to March 2023": DueDate(D(2023, 3, 31), False),
    "Sept 2021": DueDate(D(2021, 9, 30), False),
    "  October\n 2022 ": DueDate(D(2022, 10, 31), False),
}


@pytest.mark.parametrize(("text", "expected"), list({**SEED_TEXTS, **RULE_CASES}.items()))
def test_interpretation(text: str, expected: DueDate) -> None:
    assert interpret_due_text(text) == expected


def test_none_is_unreadable() -> None:
    assert interpret_due_text(None) == DueDate(None, False, readable=False)


def test_numbers_that_are_not_dates_are_ignored() -> None:
    assert dates_in("SSF 2/3 funding until March 2022") == [D(2022, 3, 31)]


def test_every_seed_date_text_is_in_the_table() -> None:
    texts = set()
    for path in PLAN_FILES:
        document = plan_from_data(read_yaml(path))
        assert document is not None
        texts |= {row.due_text for row in document.actions}
    assert texts, "the seed plan has actions"
    assert texts <= set(SEED_TEXTS), f"add these seed texts to the table: {texts - set(SEED_TEXTS)}"


def test_every_seed_date_is_readable() -> None:
    assert all(result.readable for result in SEED_TEXTS.values())
