"""The capture core's signal and registry: receivers run once each, in the order connected."""

from __future__ import annotations

import pytest

from careobs import create_app
from careobs.actions import service as actions
from careobs.audits import service as audits
from careobs.capture import events, kinds
from careobs.feedback import service as feedback
from careobs.notifications import service as notifications
from careobs.quis import service as quis
from careobs.selfassess import service as selfassess
from careobs.visits import service as visits
from careobs.voice import service as voice


def receivers(signal, kind_name: str) -> list:
    return list(signal.receivers_for(kind_name))


def test_receivers_run_in_the_order_they_were_connected_and_once_each():
    signal = events.signals.signal("test-order")
    heard = []

    def make(label):
        def receiver(sender, **kwargs):
            heard.append((label, sender, kwargs["value"]))

        return receiver

    first, second, third = make("first"), make("second"), make("third")
    # Many receivers, so an unordered set would be unlikely to keep this order by chance.
    many = [make(n) for n in range(20)]
    for receiver in (third, first, *many, second, first, third):
        events.subscribe(signal, "kind", receiver)

    signal.send("kind", value=1)
    signal.send("another kind", value=2)

    assert [label for label, _, _ in heard] == ["third", "first", *range(20), "second"]
    assert {(sender, value) for _, sender, value in heard} == {("kind", 1)}


def test_a_receiver_that_raises_stops_the_submission():
    signal = events.signals.signal("test-raise")
    heard = []

    def fails(sender, **kwargs):
        raise RuntimeError("no")

    def after(sender, **kwargs):
        heard.append(sender)

    events.subscribe(signal, "kind", fails)
    events.subscribe(signal, "kind", after)
    with pytest.raises(RuntimeError):
        signal.send("kind")
    assert heard == []


def test_the_app_factory_wires_each_kind_once_in_todays_order(app):
    again = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"]})
    again.extensions["careobs.engine"].dispose()

    assert receivers(events.record_submitted, "quis_session") == [
        feedback.after_quis_submitted,
        notifications.alert_after_quis,
    ]
    assert receivers(events.record_submitted, "spot_check") == [
        feedback.after_visit_submitted,
        actions.after_visit_submitted,
        notifications.alert_after_visit,
    ]
    assert receivers(events.record_submitted, "audit") == [actions.after_audit_submitted]
    assert receivers(events.record_submitted, "conversation") == [
        voice.after_conversation_submitted
    ]
    assert kinds.registered() == {
        "quis_session": quis.KIND,
        "spot_check": visits.KIND,
        "audit": audits.KIND,
        "conversation": voice.KIND,
        "self_assessment": selfassess.KIND,
    }
    # A self-assessment's gaps wait for a manager to raise them: nothing follows submission.
    assert receivers(events.record_submitted, "self_assessment") == []


def test_a_different_kind_cannot_take_a_registered_name(app):
    impostor = kinds.DocumentKind("quis_session", object, len, len, len)
    with pytest.raises(ValueError, match="quis_session"):
        kinds.register(impostor)
    assert kinds.registered()["quis_session"] is quis.KIND
