"""What happens to a captured record, as signals other features subscribe to.

The feature that captures a record sends ``record_submitted``; feedback, actions and
notifications react to it without the capturing feature (or the sync below it) importing them.
Receivers run in the order they were connected, inside the sender's transaction: one that
raises fails the submission exactly as a direct call would (the sync then answers the document
``invalid`` and undoes its writes). The app factory connects them, once, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSet

from blinker import NamedSignal, Namespace


class _InsertionOrdered(MutableSet):
    """A set that iterates in the order its members were added (blinker's ``set_class``)."""

    def __init__(self, members: Iterable = ()) -> None:
        self._members = dict.fromkeys(members)

    def __contains__(self, member) -> bool:
        return member in self._members

    def __iter__(self) -> Iterator:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def add(self, member) -> None:
        self._members[member] = None

    def discard(self, member) -> None:
        self._members.pop(member, None)

    def copy(self) -> _InsertionOrdered:
        return _InsertionOrdered(self._members)


class OrderedSignal(NamedSignal):
    """A signal whose receivers run in the order they were connected (blinker's own order is
    undefined), so side effects happen in the same order on every run."""

    set_class = _InsertionOrdered


class _Signals(Namespace):
    """The capture core's signals, each an OrderedSignal."""

    def signal(self, name: str, doc: str | None = None) -> NamedSignal:
        if name not in self:
            self[name] = OrderedSignal(name, doc)
        return self[name]


signals = _Signals()

record_submitted = signals.signal(
    "record-submitted",
    doc="""A captured record was submitted (its first submitted revision, or a draft stored as
    submitted). Sender: the document kind's name ("quis_session", "spot_check"). Keyword
    arguments: ``db`` (the session, inside the submission's transaction), ``actor`` (who
    submitted it), ``record`` (the stored record) and ``document`` (the validated document, with
    what the device asked for beyond the record, such as feedback to release).""",
)


def subscribe(signal: NamedSignal, kind_name: str, receiver: Callable) -> None:
    """Call ``receiver`` when ``signal`` is sent for records of ``kind_name``.

    Held strongly (a module-level function must not vanish with a weak reference), and
    connecting the same receiver again changes nothing: the app factory may run many times in
    one process (tests do), and each receiver must still run once, in its first place.
    """
    signal.connect(receiver, sender=kind_name, weak=False)


def submitted(kind_name: str, db, actor, record, document) -> None:
    """Tell the subscribers that ``record`` of kind ``kind_name`` was submitted."""
    record_submitted.send(kind_name, db=db, actor=actor, record=record, document=document)
