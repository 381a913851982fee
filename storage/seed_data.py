"""The embedded default data: the partnership's bodies and meetings and its two plans."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import Plan, ScrutinyRequest
from storage.plan_document import partnership_from_data, plan_from_data, read_yaml
from storage.plan_loader import ImportReport, apply_partnership, apply_plan
from storage.scrutiny import load_scrutiny_seed

log = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parent / "seed"
PARTNERSHIP_FILE = SEED_DIR / "partnership.yaml"
PLAN_FILES = (SEED_DIR / "plan_2018_21.yaml", SEED_DIR / "plan_2021_24.yaml")
SCRUTINY_FILE = SEED_DIR / "scrutiny.yaml"
CURRENT_PLAN_KEY = "safer-norfolk-2021-24"


def load_default_data(session: Session, now: datetime) -> list[ImportReport]:
    """Load bodies, meetings and both plans into ``session`` (idempotent upserts).

    Raises:
        ValueError: when the data files are inconsistent (a rejected row, an unknown body).
    """
    apply_partnership(session, partnership_from_data(read_yaml(PARTNERSHIP_FILE)))
    reports = []
    for path in PLAN_FILES:
        document = plan_from_data(read_yaml(path))
        if document is None:
            raise ValueError(f"{path.name} has no plan")
        report = apply_plan(session, document, now=now)
        if not report.applied:
            raise ValueError(f"{path.name}: " + " | ".join(report.lines()))
        reports.append(report)
    load_scrutiny_seed(session, read_yaml(SCRUTINY_FILE))
    return reports


def ensure_default_data(factory: sessionmaker[Session], now: datetime) -> bool:
    """Load the default data on first run (an empty plan table); a no-op afterwards.

    Returns:
        True when the data was loaded by this call.
    """
    with factory() as session:
        loaded = bool(session.scalar(select(func.count()).select_from(Plan)))
        requests = session.scalar(select(func.count()).select_from(ScrutinyRequest))
    if loaded:
        if not requests:
            _add_scrutiny_seed(factory)
        return False
    try:
        with transaction(factory) as session:
            load_default_data(session, now)
    except IntegrityError:
        # Another process loaded it at the same moment; its copy is the one we keep.
        return False
    return True


def _add_scrutiny_seed(factory: sessionmaker[Session]) -> None:
    """Data loaded before scrutiny requests were tracked gets the documents' requests once."""
    try:
        with transaction(factory) as session:
            load_scrutiny_seed(session, read_yaml(SCRUTINY_FILE))
    except IntegrityError:
        pass  # another process added them at the same moment
    except ValueError:
        # Bodies or meetings were changed since: the requests cannot all be placed; say so.
        log.warning("the seed scrutiny requests could not be added", exc_info=True)
