"""Encoded demo chunks, produced in this process or in one worker process (overlapping the writes).

The worker runs the same pure simulation and encoding and hands each chunk's batches back through a
bounded queue (two chunks in flight), so memory stays bounded and the writer never waits long. It is
forked (Linux): a spawned worker would re-import the caller's main module, which breaks scripts and
notebooks without a `__main__` guard. The child never touches the parent's database connection and
leaves through os._exit (multiprocessing's default), so no inherited SQLite handle is closed there.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
import sys
from collections.abc import Iterator
from typing import Any

from scoring.sources.demo.dataset import simulate
from scoring.sources.demo.encode import Batch, encode_chunk

_DONE = "done"
_POLL_SECONDS = 1.0


def encoded_chunks(leads: int, seed: int, chunk_size: int) -> Iterator[list[Batch]]:
    """Every chunk's batches, in order, computed in this process."""
    for chunk in simulate(leads, seed, chunk_size=chunk_size).chunks():
        yield encode_chunk(chunk)


def _produce(leads: int, seed: int, chunk_size: int, out: Any) -> None:
    try:
        for batches in encoded_chunks(leads, seed, chunk_size):
            out.put(batches)
    except BaseException as exc:  # hand every failure to the parent, which re-raises it
        out.put(exc)
        return
    out.put(_DONE)


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def worth_a_worker(leads: int, chunk_size: int) -> bool:
    """A worker pays off with several chunks and a spare core; on a saturated machine the extra
    pickling costs more than the overlap gains, so the load stays in one process."""
    spare = (os.cpu_count() or 1) - os.getloadavg()[0]
    return can_fork() and leads > 2 * chunk_size and spare >= 0.75


def worker_chunks(leads: int, seed: int, chunk_size: int) -> Iterator[list[Batch]]:
    """The same batches as `encoded_chunks`, computed in a worker process."""
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=2)
    worker = context.Process(
        target=_produce, args=(leads, seed, chunk_size, out), name="smarketing-demo", daemon=True
    )
    worker.start()
    try:
        while True:
            item = _next(out, worker)
            if isinstance(item, BaseException):
                raise item
            if item == _DONE:
                break
            yield item
        worker.join()
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join()


def _next(out: Any, worker: Any) -> Any:
    while True:
        try:
            return out.get(timeout=_POLL_SECONDS)
        except queues.Empty:
            if worker.is_alive():
                continue
        try:  # the worker is gone: anything it sent is in the pipe by now
            return out.get(timeout=_POLL_SECONDS)
        except queues.Empty:
            raise RuntimeError(f"demo worker exited with code {worker.exitcode}") from None
