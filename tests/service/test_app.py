"""How a serving process keeps its long-lived objects out of the garbage collector's way."""

from __future__ import annotations

import gc
import weakref

from keepwild.service.app import settle_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_settle_heap_freezes_what_is_held_and_frees_what_a_rebuild_dropped() -> None:
    try:
        held = _Node()
        old = _Node()
        gone = weakref.ref(old)
        settle_heap()  # the first scanner and everything else held now: frozen
        assert gc.get_freeze_count() > 0
        del old  # a rebuild replaced it; as a frozen cycle, no collection would free it
        gc.collect()
        assert gone() is not None
        settle_heap()  # after the rebuild: unfrozen, collected, the rest frozen again
        assert gone() is None
        assert held.me is held
    finally:
        gc.unfreeze()
