"""Page-by-page listing of a query, so long lists never load every row."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, request
from sqlalchemy.orm import Session

PER_PAGE = 50
_ECHO_LIMIT = 40  # characters of a bad ?page= value repeated back in the note


@dataclass
class Page:
    """One page of results and where it sits among the others."""

    items: list
    number: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _echo(raw: str) -> str:
    return raw if len(raw) <= _ECHO_LIMIT else f"{raw[:_ECHO_LIMIT]}…"


def _page_asked(pages: int) -> tuple[int, str | None]:
    """The page to show for ``?page=`` among ``pages``, and a note when it is not the one asked.

    A number out of range (an old link to a list that has since shrunk, a typed address) shows
    the nearest page that exists rather than an error: the person still sees the list. The
    number is clamped before it reaches the database, where a huge offset would overflow.
    """
    raw = request.args.get("page", "").strip()
    if not raw:
        return 1, None
    try:
        asked = int(raw)
    except ValueError:
        if not raw.isdecimal():
            return 1, f"“{_echo(raw)}” is not a page number; this is page 1."
        asked = pages + 1  # digits too many for int(): far past the end
    if asked < 1:
        return 1, f"There is no page {_echo(raw)}; this is page 1."
    if asked > pages:
        last = "the only page" if pages == 1 else f"the last page, {pages}"
        return pages, f"There is no page {_echo(raw)}; this is {last}."
    return asked, None


def paginate(db: Session, stmt: sa.Select, per_page: int = PER_PAGE) -> Page:
    """The page named by ``?page=`` of ``stmt`` (see :func:`_page_asked` for other values).

    When the page shown is not the one asked for, a note saying so is flashed for the page
    being rendered, so callers must render a page (not redirect) after calling this.
    """
    total = db.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = Page(items=[], number=1, total=total, per_page=per_page)
    page.number, note = _page_asked(page.pages)
    if note:
        flash(note, "info")
    page.items = list(db.scalars(stmt.limit(per_page).offset((page.number - 1) * per_page)))
    return page
