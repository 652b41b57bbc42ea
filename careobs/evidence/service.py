"""Writing down that an evidence pack left careobs, and naming its file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from careobs.audit.service import record_about
from careobs.evidence.pack import Pack


def filename(pack: Pack) -> str:
    """e.g. ``careobs-evidence-riverside-homecare-2026-01-01-2026-12-31.pdf``."""
    slug = "".join(c if c.isalnum() else "-" for c in pack.service.name.lower()).strip("-")
    return f"careobs-evidence-{slug}-{pack.first}-{pack.last}.pdf"


def record_download(db: Session, pack: Pack, actor, how: str):
    """The audit event for a pack leaving careobs as a PDF, from the page (``how="web"``) or the
    command line (``"cli"``); the caller commits."""
    return record_about(
        db,
        "evidence_pack",
        pack.service,
        actor=actor,
        summary=f"Evidence pack PDF ({how}) for {pack.service.name}, {pack.first} to {pack.last}",
    )
