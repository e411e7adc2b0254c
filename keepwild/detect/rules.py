"""Rules that turn matched terms into a score and a verdict, with the reasons why.

The model is deliberately simple enough to explain to a moderator:

1. Item evidence per category: species names, products and code words, combined by noisy-or of
   their weights (two independent clues are stronger than either).
2. Parts: a species name with a part or product word beside it ("Jaguar Zähne", "tiger claws",
   "اسنان فرس النهر") is read as a product, as strong as the part word says.
3. Benign context (``faux``, ``plush``, ``tiger balm``...) near an item term, or anywhere in the
   title, weakens it by the benign phrase's weight, unless a negation stands right before the
   benign phrase ("not resin") or the term itself was disguised ("1v0ry", "r.h.i.n.o").
4. Sale intent: sale and contact phrases, a price, a phone number, combined by noisy-or.
5. Category score = item evidence × (base + (1 − base) × sale intent): without any sale context a
   listing keeps only ``intent_base`` of its item evidence.
6. Floors and caps from the policy: categories such as ivory are reviewed whenever a product or
   code word survives; evidence made only of candidate terms never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keepwild.detect.matcher import Hit
from keepwild.detect.policy import Policy
from keepwild.detect.result import Reason
from keepwild.lexicon.schema import ITEM_KINDS, Kind, Status

__all__ = ["Evidence", "Signals", "Assessment", "assess", "SEVERITY"]

SEVERITY = {"allow": 0, "review": 1, "block": 2}
#: Item weight a product or code word must keep (after benign context) to trigger a floor.
_FLOOR_MIN_WEIGHT = 0.3
# Looked up once: the rules compare kinds many times per listing.
_PART, _BENIGN, _NEGATION, _SALE, _CONTACT = (
    Kind.PART, Kind.BENIGN, Kind.NEGATION, Kind.SALE, Kind.CONTACT
)
_ACTIVE = Status.ACTIVE


@dataclass(slots=True, init=False)
class Evidence:
    """A hit and the field it was found in; rules adjust ``factor`` and ``excused_by``."""

    hit: Hit
    field: str
    factor: float
    excused_by: str | None
    disguised: bool  # written with leetspeak, look-alike letters, separators...
    # Copied from the term once: the rules read them many times per listing (a part word
    # beside a species name turns its kind to product and raises its weight).
    kind: str
    category: str
    label: str
    base_weight: float

    def __init__(self, hit: Hit, field: str) -> None:
        # Written out rather than generated with a __post_init__: one is built per hit.
        term = hit.term.term
        self.hit, self.field = hit, field
        self.factor, self.excused_by, self.disguised = 1.0, None, False
        self.kind, self.category, self.label = term.kind, term.category, term.term
        self.base_weight = term.weight

    @property
    def weight(self) -> float:
        return self.base_weight * self.factor


@dataclass(frozen=True, slots=True)
class Signals:
    """Sale signals that are not lexicon terms."""

    price_field: bool = False
    price_in_text: bool = False
    phone_number: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    """The rules' judgement, with what a learned model needs to weigh it."""

    score: float
    verdict: str
    categories: tuple[str, ...]  # flagged categories, strongest first
    reasons: tuple[Reason, ...] = field(default=())
    evidence_categories: tuple[str, ...] = ()  # every category with item evidence
    intent: float = 0.0
    excused: int = 0  # item mentions weakened by benign context
    items: int = 0  # item mentions in all
    floor: str = "allow"  # the least verdict the policy allows (review floors)
    cap: str = "block"  # the most it allows (candidate-only evidence)
    strongest: dict[str, float] = field(default_factory=dict)  # item kind -> top weight


def _noisy_or(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - min(max(weight, 0.0), 0.99)
    return 1.0 - remaining


def _gap(a: Hit, b: Hit) -> int:
    """Characters between two hits (0 when they overlap)."""
    return max(0, max(a.start, b.start) - min(a.end, b.end))


def _apply_parts(items: list[Evidence], parts: list[Evidence], policy: Policy) -> list[Reason]:
    """Species names beside a part word become products: the rules then weigh "tiger teeth"
    like a product term, and the generic-animal guard no longer applies to it."""
    reasons: dict[Reason, None] = {}  # a pair repeated in title and description is told once
    for item in items:
        if item.kind != Kind.SPECIES:
            continue
        part = _strongest_part(item, parts, policy.part_window)
        if part is None:
            continue
        item.kind = Kind.PRODUCT
        item.base_weight = max(item.base_weight, part.base_weight)
        reasons[Reason(
            "species+part",
            f"'{part.label}' with '{item.label}' names a part or product of it "
            f"({item.base_weight:.2f})",
            item.category,
        )] = None
    return list(reasons)


def _strongest_part(item: Evidence, parts: list[Evidence], window: int) -> Evidence | None:
    """The heaviest part word (the first of equals) in the field of ``item``, within ``window``
    characters of it and not inside it. A plain loop: it runs for every species mention."""
    hit = item.hit
    best = None
    for part in parts:
        if (part.field == item.field and part.category in ("", item.category)
                and _gap(part.hit, hit) <= window
                and not hit.start <= part.hit.start < part.hit.end <= hit.end
                and (best is None or part.base_weight > best.base_weight)):
            best = part
    return best


def _apply_benign(
    items: list[Evidence], benign: list[Evidence], negations: list[Evidence], policy: Policy
) -> list[Reason]:
    reasons: list[Reason] = []
    for excuse in benign:
        negation = next(
            (
                n for n in negations
                if n.field == excuse.field
                and n.hit.end <= excuse.hit.start
                and excuse.hit.start - n.hit.end <= policy.negation_window
            ),
            None,
        )
        if negation is not None:
            reasons.append(Reason(
                "negated-benign",
                f"'{negation.label}' negates benign '{excuse.label}', which excuses nothing",
            ))
            continue
        for item in items:
            # Nobody writes "1v0ry" to describe a colour: a disguised mention is never excused.
            if excuse.category not in ("", item.category) or item.disguised:
                continue
            # A benign phrase in the title says what the whole listing is ("Bengal cat ...");
            # elsewhere it reaches only the words near it.
            nearby = (item.field == excuse.field
                      and _gap(item.hit, excuse.hit) <= policy.benign_window)
            if excuse.field == "title" or nearby:
                item.factor *= 1.0 - excuse.hit.term.term.weight
                item.excused_by = excuse.label
                reasons.append(Reason(
                    "benign-context",
                    f"'{excuse.label}' near '{item.label}' weakens it to {item.weight:.2f}",
                    item.category,
                ))
    _propagate_excuses(items)
    return reasons


def _propagate_excuses(items: list[Evidence]) -> None:
    """An excuse covers every mention of the same thing: the same term elsewhere in the listing
    ("Schleich Orang-Utan ... the Orang-Utan is"), and other terms read at the same place."""
    excused = [i for i in items if i.excused_by]
    if not excused:
        return
    for item in items:
        if item.excused_by or item.disguised:
            continue
        for other in excused:
            same_term = other.hit.term.key == item.hit.term.key
            same_place = other.hit.start < item.hit.end and item.hit.start < other.hit.end
            if same_term or same_place:
                item.factor = other.factor
                item.excused_by = other.excused_by
                break


def _best_per_term(items: list[Evidence]) -> dict[str, Evidence]:
    """The strongest occurrence of each distinct term (repeating a word is not new evidence)."""
    best: dict[str, Evidence] = {}
    for item in items:
        key = item.hit.term.key
        current = best.get(key)
        if current is None or item.weight > current.weight:
            best[key] = item
    return best


def _by_kind(
    evidence: list[Evidence], policy: Policy
) -> tuple[list[Evidence], list[Evidence], list[Evidence], list[Evidence], list[Evidence]]:
    """Items (of enabled categories), parts, benign phrases, negations and sale or contact
    phrases, in one pass over the evidence."""
    items: list[Evidence] = []
    parts: list[Evidence] = []
    benign: list[Evidence] = []
    negations: list[Evidence] = []
    intents: list[Evidence] = []
    disabled = policy.disabled_categories
    for e in evidence:
        kind = e.kind
        if kind in ITEM_KINDS:
            if e.category not in disabled:
                items.append(e)
        elif kind == _PART:
            parts.append(e)
        elif kind == _BENIGN:
            benign.append(e)
        elif kind == _NEGATION:
            negations.append(e)
        elif kind == _SALE or kind == _CONTACT:
            intents.append(e)
    return items, parts, benign, negations, intents


def _strongest(items: list[Evidence]) -> dict[str, float]:
    """The top weight of each item kind (0.0 for a kind with no evidence)."""
    top: dict[str, float] = {}
    for e in items:
        weight = e.weight
        current = top.get(e.kind)
        if current is None or weight > current:
            top[e.kind] = weight
    return {kind: top.get(kind, 0.0) for kind in (Kind.SPECIES, Kind.PRODUCT, Kind.CODEWORD)}


def assess(evidence: list[Evidence], signals: Signals, policy: Policy) -> Assessment:
    """Score one listing's evidence under ``policy``."""
    items, parts, benign, negations, intent_terms = _by_kind(evidence, policy)
    if not items:
        return Assessment(0.0, "allow", ())
    # Parts only ever turn species items into products: the other lists are not affected.
    reasons = _apply_parts(items, parts, policy) if parts else []
    if benign:
        reasons += _apply_benign(items, benign, negations, policy)

    intents = _best_per_term(intent_terms)
    intent_weights = [e.weight for e in intents.values()]
    intent_labels = [f"'{e.label}'" for e in intents.values()]
    for name, present in (
        ("price_field", signals.price_field),
        ("price_in_text", signals.price_in_text),
        ("phone_number", signals.phone_number),
    ):
        if present:
            intent_weights.append(policy.signals[name])
            intent_labels.append(name.replace("_", " "))
    intent = _noisy_or(intent_weights)
    # The same for every category.
    context = f" with sale intent {', '.join(intent_labels)}" if intent_labels else ""
    rule = "item+intent" if intent_labels else "item-only"
    intent_scale = policy.intent_base + (1 - policy.intent_base) * intent

    by_category: dict[str, list[Evidence]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)

    results: list[tuple[float, str, str]] = []
    floor, capped = "allow", []
    for category, found in by_category.items():
        best = _best_per_term(found)
        scale = policy.category_weights.get(category, 1.0)
        evidence_score = _noisy_or([e.weight * scale for e in best.values()])
        score = evidence_score * intent_scale
        verdict = policy.verdict_for(score)
        terms = ", ".join([f"'{e.label}' ({e.kind} {e.weight:.2f})" for e in best.values()])
        reasons.append(Reason(rule, f"{category}: {terms}{context} -> {score:.2f}", category))

        strong = [e for e in best.values() if e.weight >= _FLOOR_MIN_WEIGHT]
        if not any(e.hit.term.term.status == _ACTIVE for e in strong):
            capped.append(category)
            if verdict == "block":
                verdict = "review"
                score = min(score, policy.block_threshold - 0.01)
                reasons.append(Reason(
                    "candidate-cap", f"{category}: only candidate terms, capped at review",
                    category,
                ))
            if strong and intent > 0 and verdict == "allow":
                verdict, score = "review", max(score, policy.review_threshold)
                reasons.append(Reason(
                    "candidate-review", f"{category}: candidate term with sale context", category
                ))
        floor_terms = [e for e in strong if e.kind in (Kind.PRODUCT, Kind.CODEWORD)]
        if category in policy.review_floor_categories and floor_terms:
            floor = "review"
        if category in policy.review_floor_categories and floor_terms and verdict == "allow":
            verdict, score = "review", max(score, policy.review_threshold)
            reasons.append(Reason(
                "review-floor",
                f"{category}: policy '{policy.name}' reviews any {category} "
                f"('{floor_terms[0].label}')",
                category,
            ))
        results.append((score, verdict, category))

    results.sort(key=lambda r: (-SEVERITY[r[1]], -r[0]))
    top_score, top_verdict, _ = results[0]
    flagged = tuple(category for _, verdict, category in results if verdict != "allow")
    return Assessment(
        top_score, top_verdict, flagged, tuple(reasons),
        evidence_categories=tuple(category for _, _, category in results),
        intent=intent,
        excused=sum(1 for item in items if item.excused_by),
        items=len(items),
        floor=floor,
        cap="review" if len(capped) == len(results) else "block",
        strongest=_strongest(items),
    )
