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
    intent_base: float = 0.5
    benign_window: int = 30
    negation_window: int = 14
    review_floor_categories: frozenset[str] = frozenset({"ivory"})
    disabled_categories: frozenset[str] = frozenset()
    signals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_SIGNALS, 0.3))
    category_weights: dict[str, float] = field(default_factory=dict)

    def verdict_for(self, score: float) -> str:
        if score >= self.block_threshold:
            return "block"
        if score >= self.review_threshold:
            return "review"
        return "allow"


def policy_names() -> list[str]:
    """Names of the shipped profiles."""
    folder = files("keepwild.detect").joinpath("policies")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _fraction(data: dict[str, Any], key: str, where: str) -> float:
    value = data[key]
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PolicyError(f"{where}: {key} must be a number between 0 and 1, not {value!r}")
    return float(value)


def _categories(data: dict[str, Any], key: str, where: str) -> frozenset[str]:
    values = data.get(key, [])
    unknown = [v for v in values if v not in CATEGORIES]
    if unknown:
        raise PolicyError(f"{where}: {key} names unknown categories {unknown}")
    return frozenset(values)


def _parse(data: dict[str, Any], where: str) -> Policy:
    known = {f for f in Policy.__dataclass_fields__}
    unknown = set(data) - known
    if unknown:
        raise PolicyError(f"{where}: unknown settings {sorted(unknown)}")
    try:
        signals = {k: _fraction(data.get("signals", {}), k, where) for k in _SIGNALS}
        weights = {k: _fraction(data.get("category_weights", {}), k, where)
                   for k in data.get("category_weights", {})}
        policy = Policy(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            block_threshold=_fraction(data, "block_threshold", where),
            review_threshold=_fraction(data, "review_threshold", where),
            intent_base=_fraction(data, "intent_base", where),
            benign_window=int(data["benign_window"]),
            negation_window=int(data["negation_window"]),
            review_floor_categories=_categories(data, "review_floor_categories", where),
            disabled_categories=_categories(data, "disabled_categories", where),
            signals=signals,
            category_weights=weights,
        )
    except KeyError as exc:
        raise PolicyError(f"{where}: missing setting {exc.args[0]}") from exc
    if set(weights) - set(CATEGORIES):
        raise PolicyError(f"{where}: category_weights names unknown categories")
    if policy.review_threshold > policy.block_threshold:
        raise PolicyError(f"{where}: review_threshold is above block_threshold")
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
