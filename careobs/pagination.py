"""Page-by-page listing of a query, so long lists never load every row."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Session

PER_PAGE = 50


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


def paginate(db: Session, stmt: sa.Select, per_page: int = PER_PAGE) -> Page:
    """The page named by ``?page=`` (1 when missing or not a number) of ``stmt``."""
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    total = db.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.scalars(stmt.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, total=total or 0, per_page=per_page)
