"""Reading what every document rated on a checklist version sends the same way: its answers
(one rating per item) and the actions it proposes (owner, due date). Monitoring visits and
audits both read them here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from careobs.accounts.models import User
from careobs.capture.documents import each_object
from careobs.checklists.scoring import RATINGS
from careobs.sync.fields import Errors, read_choice, read_date, read_text, read_uuid
from careobs.sync.roster import Rosters

MAX_COMMENT = 2_000
MAX_ACTIONS = 30


@dataclass
class CleanAnswer:
    item_id: int
    rating: str
    comment: str
    critical: bool
    domain_key: uuid.UUID
    item_key: uuid.UUID


@dataclass
class CleanAction:
    uuid: uuid.UUID
    description: str
    owner_staff_id: int | None
    owner_user_id: int | None
    due_on: date | None


def read_answers(
    value, version, status, errors: Errors, *, all_na: str | None
) -> list[CleanAnswer]:
    """The ratings of ``version``'s items. A submitted document must rate every item (N/A
    where it does not apply) and at least one applicable (``all_na`` says so otherwise; None
    when every item may be N/A, as in a co-audit, where it means "Not sure")."""
    if value is None:
        value = []
    if not isinstance(value, list):
        errors.add("answers", "Must be a list.")
        return []
    items = {item.uuid: item for item in version.items} if version else {}
    seen: set[int] = set()
    clean = []
    for path, answer in each_object(value, "answers", errors):
        item_uuid = read_uuid(answer.get("item_id"), f"{path}.item_id", errors)
        item = items.get(item_uuid) if item_uuid else None
        if item_uuid and version is not None and item is None:
            errors.add(f"{path}.item_id", "Not an item of this checklist version.")
        if item is not None and item.id in seen:
            errors.add(f"{path}.item_id", "Answered twice.")
        rating = read_choice(answer.get("rating"), f"{path}.rating", errors, tuple(RATINGS))
        comment = read_text(answer.get("comment"), f"{path}.comment", errors, MAX_COMMENT)
        if item is not None and rating:
            seen.add(item.id)
            clean.append(
                CleanAnswer(item.id, rating, comment, item.critical, item.domain.key, item.key)
            )
    if status == "submitted" and version is not None:
        missing = [item.text for item in version.items if item.id not in seen]
        if missing:
            errors.add(
                "answers",
                f"Answer every item before submitting ({len(missing)} "
                f"missing, e.g. {missing[0]!r}); use N/A where it does not apply.",
            )
        elif all_na is not None and not any(a.rating != "na" for a in clean):
            # Nothing applicable: no score, so it checked nothing. A draft may still be all N/A
            # on the way (it counts for nothing and the device keeps it); a submission may not.
            errors.add("answers", all_na)
    return clean


def _owner_users(rosters: Rosters) -> dict[uuid.UUID, int]:
    """Active users of the organisation who may own an action."""
    if "owner_users" not in rosters.lookups:
        rows = rosters.db.execute(
            sa.select(User.uuid, User.id).where(
                User.organisation_id == rosters.user.organisation_id, User.active.is_(True)
            )
        )
        rosters.lookups["owner_users"] = dict(rows.all())
    return rosters.lookups["owner_users"]


def read_actions(value, roster, rosters: Rosters, errors: Errors) -> list[CleanAction]:
    """The proposed actions: each with its own id, a description, an owner (a member of the
    service's staff or a user of the organisation, or nobody) and an optional due date."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ACTIONS:
        errors.add("actions", f"Must be a list of at most {MAX_ACTIONS} actions.")
        return []
    clean = []
    seen: set[uuid.UUID] = set()
    for path, action in each_object(value, "actions", errors):
        action_id = read_uuid(action.get("id"), f"{path}.id", errors)
        description = read_text(
            action.get("description"), f"{path}.description", errors, MAX_COMMENT
        ).strip()
        if not description:
            errors.add(f"{path}.description", "Describe the action.")
        owner_staff = owner_user = None
        if action.get("owner_id") is not None:
            owner = read_uuid(action.get("owner_id"), f"{path}.owner_id", errors)
            if owner is not None:
                owner_staff = roster.staff.get(owner) if roster else None
                owner_user = None if owner_staff else _owner_users(rosters).get(owner)
                if owner_staff is None and owner_user is None:
                    errors.add(f"{path}.owner_id", "Not a member of staff or a user here.")
        due_on = read_date(action.get("due_on"), f"{path}.due_on", errors)
        if action_id is not None and action_id in seen:
            errors.add(f"{path}.id", "Two actions have this id.")
        elif action_id is not None:
            seen.add(action_id)
        if action_id and description:
            clean.append(CleanAction(action_id, description, owner_staff, owner_user, due_on))
    return clean
