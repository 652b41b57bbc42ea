"""Links signed for one user (an invitation, a password reset): how each kind is signed, how long
it lasts, and how it is read back, refusing an expired, damaged or stale one in words its holder
understands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from careobs.accounts.models import User


@dataclass(frozen=True)
class SignedLink:
    """One kind of link. Its own ``salt`` keeps one kind from standing in for another; it lasts
    as long as the ``max_age_setting`` says; its refusals raise ``error`` and call it ``name``
    ("invitation") or, where that reads better, ``link`` ("invitation link"; default: the
    name)."""

    salt: str
    max_age_setting: str
    error: type[Exception]
    name: str
    link: str = ""

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def valid_hours(self) -> int:
        """How many hours a link of this kind lasts, for the words that hand it over."""
        return round(current_app.config[self.max_age_setting].total_seconds() / 3600)

    def token(self, payload: dict) -> str:
        """A signed token carrying ``payload`` (its ``"u"`` names the user)."""
        return self._serializer().dumps(payload)

    def read(self, session: Session, token: str) -> tuple[dict, User]:
        """What the token carries, and the active user it names; ``error`` when it cannot be
        used."""
        max_age = current_app.config[self.max_age_setting]
        link = self.link or self.name
        try:
            data = self._serializer().loads(token, max_age=int(max_age.total_seconds()))
        except SignatureExpired as exc:
            raise self.error(
                f"This {self.name} has expired. Ask your administrator for a new link."
            ) from exc
        except BadSignature as exc:
            raise self.error(f"This {link} is not valid. Check it was copied whole.") from exc
        try:
            user_id = uuid.UUID(str(data.get("u")))
        except ValueError as exc:
            raise self.error(f"This {link} is not valid.") from exc
        user = session.scalar(sa.select(User).where(User.uuid == user_id))
        if user is None or not user.active:
            raise self.error(f"This {self.name} is no longer valid.")
        return data, user
