"""Publishing policy: may a document go out in a language?

A vital document (front matter ``vital: true``) publishes only when every entry is
reviewed and no quality check reports an error. Any other document publishes when
at least ``threshold`` of its entries are reviewed (80 % by default, as po4a does);
its remaining machine text is then labelled as such on the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline import states

if TYPE_CHECKING:
    import polib

    from pipeline.documents import Document
    from pipeline.settings import Settings

DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True)
class Decision:
    publish: bool
    reason: str  # why not, or what is published ("fully reviewed", "85 % reviewed")
    reviewed: int
    total: int

    @property
    def share(self) -> float:
        return self.reviewed / self.total if self.total else 1.0


def decide(vital: bool, threshold: float, states: Mapping[str, int], errors: int) -> Decision:
    """Decide from entry counts per review state and the number of check errors (pure)."""
    total = sum(states.values())
    reviewed = states.get("reviewed", 0)
    share = reviewed / total if total else 1.0
    if vital:
        if reviewed < total:
            return Decision(
                False,
                f"vital document: {total - reviewed} of {total} entries not reviewed",
                reviewed,
                total,
            )
        if errors:
            return Decision(
                False, f"vital document: {errors} quality check error(s)", reviewed, total
            )
        return Decision(True, "fully reviewed", reviewed, total)
    if share + 1e-9 < threshold:
        return Decision(False, f"{share:.0%} reviewed, {threshold:.0%} needed", reviewed, total)
    return Decision(
        True, "fully reviewed" if reviewed == total else f"{share:.0%} reviewed", reviewed, total
    )


def threshold(settings: Settings, document: Document) -> float:
    """Reviewed share a non-vital document needs: settings per document, front matter, settings."""
    per_doc = settings.document_options(document.id).publish_threshold
    for value in (per_doc, document.publish_threshold):
        if value is not None:
            return float(value)
    return settings.build.publish_threshold


def for_document(
    settings: Settings, document: Document, catalog: polib.POFile | None, errors: Set[str]
) -> Decision:
    """The decision for ``document`` in one catalog, counting the review state of each of its
    segments (a segment the catalog lacks, not yet updated, counts as untranslated) and the
    entries with check errors (``errors``: their msgids)."""
    entries = {e.msgid: e for e in catalog or () if not e.obsolete and not e.msgctxt}
    counts = Counter(
        states.state(entries[m]) if m in entries else "untranslated"
        for m in {s.msgid for s in document.segments()}
    )
    return decide(document.vital, threshold(settings, document), counts, len(errors))
