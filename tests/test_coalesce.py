"""Lookups asked for together are answered together: the machinery behind batched sign-ins and first pulls."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from liaison.coalesce import Coalescer


class Recorder:
    def __init__(self, fail_on: str | None = None, delay: float = 0.0) -> None:
        self.batches: list[list[str]] = []
        self.fail_on, self.delay = fail_on, delay

    async def load(self, keys: Sequence[str]) -> dict[str, str]:
        self.batches.append(list(keys))
        await asyncio.sleep(self.delay)
        if self.fail_on in keys:
            raise RuntimeError("database away")
        return {k: k.upper() for k in keys if k != "missing"}


async def test_calls_made_together_share_one_batch_and_each_gets_its_own_answer() -> None:
    recorder = Recorder()
    batcher = Coalescer(recorder.load)
    answers = await asyncio.gather(*(batcher.get(k) for k in ("a", "b", "c", "a")))
    assert answers == ["A", "B", "C", "A"]
    assert recorder.batches == [["a", "b", "c"]]  # the same key asked twice is loaded once


async def test_calls_made_while_a_batch_runs_wait_for_the_next_one_and_a_lone_call_goes_at_once() -> None:
    recorder = Recorder(delay=0.05)
    batcher = Coalescer(recorder.load, max_batch=2)
    first = asyncio.create_task(batcher.get("a"))
    await asyncio.sleep(0.01)  # the first batch is under way
    later = await asyncio.gather(batcher.get("b"), batcher.get("c"), batcher.get("d"))
    assert await first == "A" and later == ["B", "C", "D"]
    assert recorder.batches == [["a"], ["b", "c"], ["d"]]  # at most max_batch keys each


async def test_a_failing_batch_fails_its_callers_only_and_a_missing_answer_fails_alone() -> None:
    recorder = Recorder(fail_on="x")
    batcher = Coalescer(recorder.load)
    results = await asyncio.gather(batcher.get("x"), batcher.get("y"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await batcher.get("z") == "Z"  # the next batch is unaffected
    ok, missing = await asyncio.gather(batcher.get("k"), batcher.get("missing"), return_exceptions=True)
    assert ok == "K" and isinstance(missing, KeyError)


async def test_a_caller_that_gives_up_does_not_cancel_the_others() -> None:
    recorder = Recorder(delay=0.05)
    batcher = Coalescer(recorder.load)
    impatient = asyncio.create_task(batcher.get("a"))
    patient = asyncio.create_task(batcher.get("b"))
    await asyncio.sleep(0.01)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert await patient == "B"
