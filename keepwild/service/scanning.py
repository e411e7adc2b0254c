"""The scanner a service process uses, rebuilt when curators edit the lexicon.

A compiled scanner costs about a second and 130 MB, so a process keeps the ones it built
(keyed by base lexicon, policy, model and the content of the edits) and swaps the current one
atomically; scans never wait for a rebuild. Hyperscan's scratch space is not thread-safe, so
every scan holds the scanner's lock (uncontended, it costs well under a microsecond).

The learned model was trained on the base release's evidence; edits change a few terms, not
the features, so an edited lexicon keeps its base release's model, and each scan records both
versions.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from keepwild.detect.listing import Listing
from keepwild.detect.model import ListingModel, default_model_path
from keepwild.detect.policy import load_policy
from keepwild.detect.result import ScanResult
from keepwild.detect.scanner import Scanner
from keepwild.lexicon.files import load_lexicon
from keepwild.lexicon.model import Lexicon
from keepwild.service.lexicon import apply_edits, edit_state, edits_fingerprint, load_edits
from keepwild.store.database import Database
from keepwild.text.langid import preload_models

__all__ = ["ScannerHolder", "base_lexicon"]


@lru_cache(maxsize=4)
def base_lexicon(path: str | None) -> Lexicon:
    return load_lexicon(path)


def _model(setting: str, lexicon: Lexicon) -> ListingModel | None:
    if setting == "none":
        return None
    if setting == "default":
        if not default_model_path().exists():
            return None
        model = ListingModel.load()
        return model if model.metadata.get("lexicon") == lexicon.version else None
    return ListingModel.load(Path(setting))


_BUILT: dict[tuple[str | None, str, str, str], tuple[Scanner, threading.Lock]] = {}
_BUILT_LOCK = threading.Lock()


def _compiled(lexicon_path: str | None, policy: str, model: str, fingerprint: str,
              lexicon: Lexicon) -> tuple[Scanner, threading.Lock]:
    key = (lexicon_path, policy, model, fingerprint)
    with _BUILT_LOCK:
        built = _BUILT.get(key)
    if built is None:
        scanner = Scanner(lexicon, load_policy(policy),
                          model=_model(model, base_lexicon(lexicon_path)))
        preload_models()  # language identification's slow first call, not a request's
        built = (scanner, threading.Lock())
        with _BUILT_LOCK:
            if len(_BUILT) >= 4:
                _BUILT.pop(next(iter(_BUILT)))
            built = _BUILT.setdefault(key, built)
    return built


class ScannerHolder:
    """The current scanner of one service process, and how to bring it up to date."""

    def __init__(self, lexicon_path: str | None, policy: str, model: str) -> None:
        self.lexicon_path = lexicon_path
        self.policy = policy
        self.model = model
        self.state = -1  # edit id the current scanner reflects; -1: not built yet
        self._current: tuple[Scanner, threading.Lock] | None = None
        self._refresh_lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._current is not None

    def _built(self) -> tuple[Scanner, threading.Lock]:
        if self._current is None:
            raise RuntimeError("the scanner is not built yet; call refresh()")
        return self._current

    @property
    def scanner(self) -> Scanner:
        return self._built()[0]

    @property
    def lexicon(self) -> Lexicon:
        return self.scanner.lexicon

    @property
    def model_version(self) -> str | None:
        model = self.scanner.model
        return model.version if model is not None else None

    def scan(self, listing: Listing) -> ScanResult:
        scanner, lock = self._built()
        with lock:
            return scanner.scan(listing)

    def refresh(self, db: Database) -> bool:
        """Rebuild if the edits changed since the last build; True if it did."""
        with self._refresh_lock:
            with db.session() as session:
                state = edit_state(session)
                if state == self.state and self._current is not None:
                    return False
                edits = load_edits(session)
            lexicon = apply_edits(base_lexicon(self.lexicon_path), edits)
            self._current = _compiled(self.lexicon_path, self.policy, self.model,
                                      edits_fingerprint(edits), lexicon)
            self.state = state
            return True
