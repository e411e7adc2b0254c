"""What changed between two lexicon releases: added, changed and retired terms."""

from __future__ import annotations

from dataclasses import dataclass, fields

from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import Status, Term

__all__ = ["LexiconDiff", "TermChange", "diff_lexicons"]

# Decision counts move every day; they are not curation changes.
_IGNORED = {"tp", "fp"}


@dataclass(frozen=True, slots=True)
class TermChange:
    old: Term
    new: Term
    fields: tuple[str, ...]


@dataclass(frozen=True)
class LexiconDiff:
    added: tuple[Term, ...]
    changed: tuple[TermChange, ...]
    retired: tuple[Term, ...]  # active or candidate in OLD, retired in NEW
    removed: tuple[Term, ...]  # gone from NEW without a retired row (history lost)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.removed)


def diff_lexicons(old: Lexicon, new: Lexicon) -> LexiconDiff:
    before = old.by_key()
    after = new.by_key()
    added, changed, retired, removed = [], [], [], []
    for key, term in after.items():
        previous = before.get(key)
        if previous is None:
            added.append(term)
            continue
        if term.status == Status.RETIRED and previous.status != Status.RETIRED:
            retired.append(term)
            continue
        moved = tuple(
            f.name for f in fields(Term)
            if f.name not in _IGNORED and getattr(previous, f.name) != getattr(term, f.name)
        )
        if moved:
            changed.append(TermChange(previous, term, moved))
    for key, term in before.items():
        if key not in after:
            removed.append(term)
    return LexiconDiff(tuple(added), tuple(changed), tuple(retired), tuple(removed))
