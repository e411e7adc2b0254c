"""Policy profiles: the thresholds and rules a platform applies to scores.

Profiles are TOML files. The shipped ones live in ``keepwild/detect/policies``; a platform can
pass a path to its own. Every field is checked on load, so a typo fails loudly instead of
silently scanning with a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from keepwild.errors import PolicyError
from keepwild.lexicon.schema import CATEGORIES

__all__ = ["Policy", "load_policy", "policy_names"]

_SIGNALS = ("price_field", "price_in_text", "phone_number")


@dataclass(frozen=True)
class Policy:
    """Thresholds and rules that turn evidence into a verdict."""

    name: str
    description: str = ""
    block_threshold: float = 0.75
    review_threshold: float = 0.40
    # With a learned model the score is its calibrated probability, and a listing goes to
    # review from this probability on (the rules' own scores, without a model, are not
    # probabilities and use review_threshold).
    model_review_threshold: float = 0.6
    intent_base: float = 0.5
    benign_window: int = 30
    negation_window: int = 14
    # How far (in folded characters) a part word ("teeth", "Krallen") reaches to make a species
    # name next to it a product ("Jaguar Zähne", "اسنان فرس النهر").
    part_window: int = 12
    review_floor_categories: frozenset[str] = frozenset({"ivory"})
    # With a learned model, a floor applies unless the model finds the listing this unlikely
    # to be an offer (an "ivory" curtain is not ivory of any animal).
    floor_min_probability: float = 0.1
    # Whether generic animal names alone ("monkey", "parrot"; no product or code word) may send
    # a listing to review; when not, such a listing is flagged only at block-level probability.
    review_generic_animals: bool = True
    # With a learned model, a listing with no lexicon term at all (code words not yet in the
    # lexicon, indirect wording) goes to review when the model gives it at least this
    # probability; it is never blocked on the model alone. 1 turns this off and saves the
    # model's cost on clean listings. Lower than 0.7 sends everyday listings to review: the
    # probabilities are calibrated to the corpus's 40 % of offers (docs/model.md).
    review_without_terms: float = 0.7
    disabled_categories: frozenset[str] = frozenset()
    signals: dict[str, float] = field(
        default_factory=lambda: {"price_field": 0.3, "price_in_text": 0.3, "phone_number": 0.35}
    )
    category_weights: dict[str, float] = field(default_factory=dict)

    def verdict_for(self, score: float) -> str:
        """The verdict for the rules' own score."""
        return self._verdict(score, self.review_threshold)

    def verdict_for_probability(self, probability: float) -> str:
        """The verdict for a learned model's calibrated probability."""
        return self._verdict(probability, self.model_review_threshold)

    def _verdict(self, score: float, review_from: float) -> str:
        if score >= self.block_threshold:
            return "block"
        return "review" if score >= review_from else "allow"


def policy_names() -> list[str]:
    """Names of the shipped profiles."""
    folder = files("keepwild.detect").joinpath("policies")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _fraction(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PolicyError(f"{where}: {key} must be a number between 0 and 1, not {value!r}")
    return float(value)


def _window(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 500:
        raise PolicyError(f"{where}: {key} must be a whole number from 0 to 500, not {value!r}")
    return value


def _categories(value: Any, key: str, where: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise PolicyError(f"{where}: {key} must be a list of categories")
    unknown = [v for v in value if v not in CATEGORIES]
    if unknown:
        raise PolicyError(f"{where}: {key} names unknown categories {unknown}")
    return frozenset(value)


def _parse(data: dict[str, Any], where: str) -> Policy:
    """Build a Policy; settings a file leaves out keep the defaults of :class:`Policy`."""
    unknown = set(data) - set(Policy.__dataclass_fields__)
    if unknown:
        raise PolicyError(f"{where}: unknown settings {sorted(unknown)}")
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise PolicyError(f"{where}: a policy needs a name")
    defaults = Policy(name=data["name"])
    signals = dict(defaults.signals)
    for key, value in data.get("signals", {}).items():
        if key not in signals:
            raise PolicyError(f"{where}: unknown signal {key!r} (known: {', '.join(_SIGNALS)})")
        signals[key] = _fraction(value, f"signals.{key}", where)
    weights = {}
    for key, value in data.get("category_weights", {}).items():
        if key not in CATEGORIES:
            raise PolicyError(f"{where}: category_weights names unknown category {key!r}")
        weights[key] = _fraction(value, f"category_weights.{key}", where)
    fractions = {
        key: _fraction(data.get(key, getattr(defaults, key)), key, where)
        for key in ("block_threshold", "review_threshold", "intent_base", "floor_min_probability",
                    "review_without_terms", "model_review_threshold")
    }
    windows = {
        key: _window(data.get(key, getattr(defaults, key)), key, where)
        for key in ("benign_window", "negation_window", "part_window")
    }
    categories = {
        key: _categories(data[key], key, where) if key in data else getattr(defaults, key)
        for key in ("review_floor_categories", "disabled_categories")
    }
    review_generic = data.get("review_generic_animals", defaults.review_generic_animals)
    if not isinstance(review_generic, bool):
        raise PolicyError(f"{where}: review_generic_animals must be true or false")
    policy = Policy(
        name=data["name"],
        review_generic_animals=review_generic,
        description=str(data.get("description", "")),
        signals=signals,
        category_weights=weights,
        **fractions,
        **windows,
        **categories,
    )
    for key in ("review_threshold", "model_review_threshold"):
        if getattr(policy, key) > policy.block_threshold:
            raise PolicyError(f"{where}: {key} is above block_threshold")
    return policy


def load_policy(name_or_path: str | Path = "coalition") -> Policy:
    """A shipped profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        resource = files("keepwild.detect").joinpath(f"policies/{name_or_path}.toml")
        if not resource.is_file():
            raise PolicyError(
                f"unknown policy {str(name_or_path)!r}; shipped: {', '.join(policy_names())}"
            )
        text, where = resource.read_text(encoding="utf-8"), f"policy {name_or_path}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: {exc}") from exc
    return _parse(data, where)
