"""The per-article stage on a running Dask cluster (`kg build --cluster ADDRESS`).

Reading, linking, the graph and the store stay in the building process; only the analysis of the
articles that the cache lacks is sent, in batches, to the cluster's workers, which run the same
per-article function as `--jobs` (`kg.pipeline._work`) and send back the same compact records. A
worker keeps what it loads (the ontology, the spaCy pipelines) for every batch after its first.
Cache entries are written here, not by the workers, which need not share this machine's disk.

A worker that dies mid-batch costs that batch a second run elsewhere: the scheduler sends it to
another worker. A batch that has killed its workers `distributed.scheduler.allowed-failures` times
is given up, and its articles reported as skipped. Dask is an optional dependency
(`pip install 'kg[cluster]'`), imported only here and only when a build asks for a cluster.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from .errors import ClusterError

log = logging.getLogger(__name__)

BATCH_SIZE = 32  # articles a task: a task costs the scheduler about a millisecond, a batch ~0.1 s of work
IN_FLIGHT_PER_THREAD = 3  # batches sent ahead per worker thread, so that none waits for the next
NO_WORKER_GRACE = 60.0  # seconds a build waits for a worker while the cluster has none


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError("--cluster needs Dask's distributed scheduler: pip install 'kg[cluster]'") from exc
    return distributed


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Dask client of the scheduler at `address` ("HOST:PORT" or "tcp://HOST:PORT"), closed on exit.

    Waits `distributed.comm.timeouts.connect` (Dask's setting, e.g. the environment variable
    DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s) for the scheduler; raises `ClusterError` if it
    cannot be reached.
    """
    distributed = _distributed()
    import dask

    timeout = dask.config.get("distributed.comm.timeouts.connect")
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from exc
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=10)


def worker_threads(client: Any) -> int:
    """How many tasks the cluster runs at once (its workers' threads), 0 while it has no worker."""
    return sum(client.nthreads().values())


def _wait_for_workers(client: Any, address: str) -> None:
    deadline = time.monotonic() + NO_WORKER_GRACE
    while not worker_threads(client):
        if time.monotonic() > deadline:
            raise ClusterError(f"the Dask scheduler at {address} has had no worker for {NO_WORKER_GRACE:.0f} s")
        time.sleep(0.2)


def analyse_on(
    address: str,
    queue: Iterator[Any],
    settings: Any,
    cache: Any,
    finish: Callable[[Any], None],
) -> None:
    """Analyse the cache misses of `queue` (`kg.pipeline._Pending` items, in input order) on the
    cluster at `address`, storing each result in `cache` and finishing every item in input order."""
    from .cache import decode, without_text

    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        client: Any = None  # connected when the first batch is ready: a build the cache serves needs no cluster
        in_flight_max = 2
        window: deque[Any] = deque()  # every item not finished yet, in input order
        in_flight: deque[tuple[list[Any], Any]] = deque()  # batches sent, oldest first
        batch: list[Any] = []
        sent = 0

        def flush_ready() -> None:
            while window and window[0].ready:
                finish(window.popleft())

        def collect_oldest() -> None:
            members, future = in_flight.popleft()
            records = _result(client, future, address, distributed, len(members))
            for pending, record in zip(members, records, strict=True):
                if isinstance(record, str):
                    pending.result = record
                    continue
                pending.result = decode(record)
                if cache is not None and pending.key:
                    cache.put(pending.key, without_text(pending.result))
            flush_ready()

        def send() -> None:
            nonlocal client, sent, in_flight_max
            if client is None:
                client = stack.enter_context(connect(address))
                _wait_for_workers(client, address)
            if sent % 64 == 0:  # workers come and go: follow their number
                in_flight_max = max(2, worker_threads(client) * IN_FLIGHT_PER_THREAD)
            in_flight.append((list(batch), _submit(client, settings, [p.item for p in batch])))
            batch.clear()
            sent += 1
            while len(in_flight) >= in_flight_max:
                collect_oldest()

        try:
            for pending in queue:
                window.append(pending)
                if not pending.ready:
                    batch.append(pending)
                    if len(batch) >= BATCH_SIZE:
                        send()
                elif len(window) == 1:
                    flush_ready()
            if batch:
                send()
            while in_flight:
                collect_oldest()
            flush_ready()
        finally:
            for _, future in in_flight:
                future.cancel()


def _submit(client: Any, settings: Any, articles: list[Any]) -> Any:
    """Send one batch of articles to the cluster: a task of `kg.pipeline._work` (no cache there)."""
    from .pipeline import _work

    return client.submit(_work, (settings, None, [(article, "") for article in articles]), pure=False)


def _result(client: Any, future: Any, address: str, distributed: Any, size: int) -> list[Any]:
    """The records of one batch; a batch that kept killing workers gives one failure per article."""
    waited_without_workers = 0.0
    while True:
        try:
            return future.result(timeout=5)
        except distributed.TimeoutError:
            pass
        except distributed.client.FutureCancelledError as exc:
            raise ClusterError(f"lost the Dask scheduler at {address}: {exc}") from exc
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                log.warning("a batch of %d articles killed its workers; its articles are skipped", size)
                return ["analysis failed: the batch killed every worker that ran it"] * size
            raise ClusterError(f"the Dask cluster at {address} failed: {type(exc).__name__}: {exc}") from exc
        if client.status != "running":
            raise ClusterError(f"lost the Dask scheduler at {address}")
        waited_without_workers = 0.0 if worker_threads(client) else waited_without_workers + 5
        if waited_without_workers >= NO_WORKER_GRACE:
            raise ClusterError(f"the Dask scheduler at {address} has had no worker for {NO_WORKER_GRACE:.0f} s")
