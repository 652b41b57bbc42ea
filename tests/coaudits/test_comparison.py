"""The comparison of a co-audit with its staff audit against hand-computed values."""

from __future__ import annotations

import uuid

from careobs.coaudits.comparison import Rated, agreement_text, as_json, compare

K = [uuid.UUID(int=n) for n in range(10)]


def rated(n: int, rating, prefix: str = "s") -> Rated:
    return Rated(K[n], f"{prefix}{n}", f"Item {n}", rating)


def test_items_match_by_key_and_only_both_rated_without_na_count():
    # k1 agree; k2 differ; k3 agree; k4 N/A on one side; k5 differ; k6 staff only; k7 co only.
    staff = [
        rated(1, "met"),
        rated(2, "met"),
        rated(3, "partly"),
        rated(4, "na"),
        rated(5, "not_met"),
        rated(6, "met"),
    ]
    co = [
        rated(7, "met", "c"),
        rated(5, "met", "c"),
        rated(4, "met", "c"),
        rated(3, "partly", "c"),
        rated(2, "not_met", "c"),
        rated(1, "met", "c"),
    ]
    result = compare(staff, co)
    assert result.compared_items == 4 and result.agreed_items == 2
    assert result.agreement == 0.5
    # Differences first, then the staff template's order, then what only the co-audit has.
    assert [i.key for i in result.items] == [K[2], K[5], K[1], K[3], K[4], K[6], K[7]]
    assert [i.key for i in result.differences] == [K[2], K[5]]
    # The staff audit's public item id where it has the item; the co-audit's otherwise.
    assert [i.item_id for i in result.items] == ["s2", "s5", "s1", "s3", "s4", "s6", "c7"]
    body = as_json(K[8], K[9], result)
    assert body["audit"] == str(K[8]) and body["co_audit"] == str(K[9])
    assert body["agreement"] == 0.5 and body["compared_items"] == 4
    assert body["items"][0] == {
        "item_id": "s2",
        "audit": "met",
        "co_audit": "not_met",
        "agree": False,
        "compared": True,
    }
    assert body["items"][4] == {
        "item_id": "s4",
        "audit": "na",
        "co_audit": "met",
        "agree": False,
        "compared": False,
    }
    assert body["items"][5]["co_audit"] is None and body["items"][6]["audit"] is None
    assert agreement_text(result) == "2 of 4 items agree (50%)"


def test_na_on_both_sides_neither_agrees_nor_differs():
    result = compare([rated(1, "na"), rated(2, "met")], [rated(1, "na"), rated(2, "met")])
    assert result.compared_items == 1 and result.agreement == 1.0
    assert [i.agree for i in result.items] == [False, True]
    assert result.differences == []
    assert agreement_text(result) == "1 of 1 item agrees (100%)"


def test_nothing_comparable_has_no_agreement_not_zero():
    result = compare([rated(1, "na"), rated(2, None)], [rated(1, "met"), rated(2, "met")])
    assert result.compared_items == 0 and result.agreement is None
    assert as_json(K[0], K[1], result)["agreement"] is None
    assert agreement_text(result).startswith("No item could be compared")
    assert result.cluster.k == 0


def test_agreement_in_words_rounds_half_up():
    nine = [rated(n, "met") for n in range(9)]
    seven = compare(nine, [rated(n, "met" if n < 7 else "partly") for n in range(9)])
    assert seven.agreement == 7 / 9
    assert agreement_text(seven) == "7 of 9 items agree (78%)"
    eight = [rated(n, "met") for n in range(8)]
    result = compare(eight, [rated(n, "met" if n < 7 else "not_met") for n in range(8)])
    assert agreement_text(result) == "7 of 8 items agree (88%)"  # 87.5 rounds up
    assert result.cluster.y == 7 and result.cluster.n == 8 and result.cluster.k == 1
