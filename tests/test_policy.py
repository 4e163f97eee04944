"""The publishing policy's pure core, table-driven: each row is one rule of when a document
may go out in a language (the end-to-end judges are in test_build.py)."""

from __future__ import annotations

import pytest

from pipeline.policy import decide

DECISIONS = [  # (vital, threshold, states, check errors, publish?, reason)
    (True, 0.8, {"reviewed": 5}, 0, True, "fully reviewed"),
    (True, 0.8, {"reviewed": 4, "machine": 1}, 0, False, "vital document: 1 of 5 entries not reviewed"),
    (True, 0.0, {"reviewed": 4, "untranslated": 1}, 0, False, "vital document: 1 of 5"),  # threshold is not for vital ones
    (True, 0.8, {"reviewed": 5}, 2, False, "vital document: 2 quality check error(s)"),
    (True, 0.8, {}, 0, True, "fully reviewed"),  # nothing to translate
    (False, 0.8, {"reviewed": 4, "machine": 1}, 0, True, "80% reviewed"),
    (False, 0.8, {"reviewed": 3, "machine": 2}, 0, False, "60% reviewed, 80% needed"),
    (False, 0.8, {"reviewed": 5}, 3, True, "fully reviewed"),  # errors stop only vital documents
    (False, 0.0, {"untranslated": 7}, 0, True, "0% reviewed"),
    (False, 1.0, {"reviewed": 99, "fuzzy": 1}, 0, False, "99% reviewed, 100% needed"),
    (False, 0.3, {"reviewed": 3, "machine": 7}, 0, True, "30% reviewed"),  # 3/10 is 0.3 in floats too
    (False, 0.8, {}, 0, True, "fully reviewed"),
]  # fmt: skip


@pytest.mark.parametrize("vital,threshold,states,errors,publish,reason", DECISIONS)
def test_decide(
    vital: bool, threshold: float, states: dict, errors: int, publish: bool, reason: str
) -> None:
    decision = decide(vital, threshold, states, errors)
    assert decision.publish is publish and decision.reason.startswith(reason), decision
    assert decision.total == sum(states.values())
    assert decision.reviewed == states.get("reviewed", 0)
