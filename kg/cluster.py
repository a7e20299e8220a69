"""The per-article stage on a running Dask cluster (`kg build --cluster ADDRESS`).

Reading, linking, the graph and the store stay in the building process; only the analysis of the
articles that the cache lacks is sent, in batches, to the cluster's workers, which run the same
per-article function as `--jobs` (`kg.pipeline._work`) and send back the same compact records. A
worker keeps what it loads (the ontology, the spaCy pipelines) for every batch after its first.
A worker that sees the build's cache folder (on this machine, or on a shared disk) writes the
entries of its batches there itself, as `--jobs` workers do; for the others they are written here.

Every machine needs the same `kg`, spaCy and spaCy models: a worker checks that what decides a
result (`fingerprint`) is the build's before its first batch, and the build stops with an error
otherwise. Files the build names (`--ontology`, a model folder) must be at the same path on every
worker; those that ship with `kg` are found in each worker's own installation.

A worker that dies mid-batch costs that batch a second run elsewhere: the scheduler sends it to
another worker. A batch that has killed its workers `distributed.scheduler.allowed-failures` times
is given up, and its articles reported as skipped. Dask is an optional dependency
(`pip install 'kg[cluster]'`), imported only here and only when a build asks for a cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ClusterError

log = logging.getLogger(__name__)

BATCH_SIZE = 32  # articles a task: a task costs the scheduler about a millisecond, a batch ~0.1 s of work
IN_FLIGHT_PER_THREAD = 3  # batches sent ahead per worker thread, so that none waits for the next
NO_WORKER_GRACE = 60.0  # seconds a build waits for a worker while the cluster has none
TOKEN_FILE = ".cluster-token"  # in the cache folder while a cluster build runs: who reads it shares the disk


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
    with _quiet_dask():
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


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's own log (its tracebacks when the scheduler goes away) only with `kg -v`: a lost
    scheduler is reported once, as a `ClusterError`."""
    dask_log = logging.getLogger("distributed")
    if log.getEffectiveLevel() <= logging.INFO:
        yield
        return
    sink = logging.NullHandler()
    propagate = dask_log.propagate
    dask_log.addHandler(sink)
    dask_log.propagate = False
    try:
        yield
    finally:
        dask_log.propagate = propagate
        dask_log.removeHandler(sink)


def worker_threads(client: Any) -> int:
    """How many tasks the cluster runs at once (its workers' threads), 0 while it has no worker;
    `ClusterError` when the scheduler is gone."""
    try:
        return sum(client.nthreads().values())
    except Exception as exc:  # distributed raises OSError, CommClosedError, TimeoutError, CancelledError…
        raise ClusterError(f"lost the Dask scheduler at {client.scheduler.address}") from exc


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
    timeout: float = 0.0,
) -> None:
    """Analyse the cache misses of `queue` (`kg.pipeline._Pending` items, in input order) on the
    cluster at `address`, storing each result in `cache` and finishing every item in input order;
    `timeout` is the time budget of one article (0: none)."""
    from .cache import decode
    from .pipeline import InputOrder

    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        client: Any = None  # connected when the first batch is ready: a build the cache serves needs no cluster
        shared: SharedCache | None = None
        job: Job | None = None
        in_flight_max = 2
        sent = 0

        def collect(members: list[Any], future: Any) -> None:
            written, records = _result(client, future, address, distributed, len(members))
            for pending, record in zip(members, records, strict=True):
                if isinstance(record, str):
                    pending.result = record
                    continue
                pending.result = decode(record)
                if cache is not None and pending.key and not written:
                    cache.put(pending.key, pending.result)

        def send(batch: list[Any]) -> Any:
            nonlocal client, shared, job, sent, in_flight_max
            if client is None:
                client = stack.enter_context(connect(address))
                _wait_for_workers(client, address)
                if cache is not None:
                    shared = stack.enter_context(_shared(cache))
                job = Job(portable(settings), fingerprint(settings), shared, timeout)
            if sent % 64 == 0:  # workers come and go: follow their number
                in_flight_max = max(2, worker_threads(client) * IN_FLIGHT_PER_THREAD)
            sent += 1
            return _submit(client, job, [(p.item, p.key) for p in batch])

        order = InputOrder(finish, BATCH_SIZE, send, collect, lambda: in_flight_max)
        try:
            order.run(queue)
        finally:
            for _, future in order.in_flight:
                with contextlib.suppress(Exception):
                    future.cancel()


@dataclass(frozen=True)
class SharedCache:
    """The build's cache as sent to the workers, with the token that tells a worker it sees the same folder."""

    cache: Any  # kg.cache.ArticleCache
    token: str

    def visible(self) -> bool:
        """Whether this process sees the cache folder of the build (checked once per process and build)."""
        key = (str(self.cache.root), self.token)
        if key not in _VISIBLE:
            try:
                _VISIBLE[key] = (Path(self.cache.root) / TOKEN_FILE).read_text(encoding="ascii") == self.token
            except (OSError, ValueError):
                _VISIBLE[key] = False
        return _VISIBLE[key]


_VISIBLE: dict[tuple[str, str], bool] = {}


@contextlib.contextmanager
def _shared(cache: Any) -> Iterator[SharedCache]:
    """The cache folder marked with a new token for the time of the build."""
    token = secrets.token_hex(16)
    path = Path(cache.root) / TOKEN_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(token, encoding="ascii")
    except OSError as exc:
        log.info("cannot mark the cache folder for the workers (%s): entries are written here", exc)
    try:
        yield SharedCache(cache, token)
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


@dataclass(frozen=True)
class Job:
    """What every batch of a build needs besides its articles: the settings (`portable`), their
    `fingerprint` on the building machine, and the cache as the workers may see it."""

    settings: Any
    fingerprint: str
    shared: SharedCache | None = None
    timeout: float = 0.0  # seconds one article may take (0: no limit)


def run_batch(job: Job, items: list[Any]) -> tuple[bool, list[Any]]:
    """On a worker: `kg.pipeline._work` over one batch of (article, cache key); the cache entries are
    written there too where the worker sees the build's cache folder. Returns whether they were, and
    the compact records. Raises RuntimeError where the worker would not give the build's results."""
    from .pipeline import _work

    settings = _prepared(job.settings, job.fingerprint)
    cache = job.shared.cache if job.shared is not None and job.shared.visible() else None
    return cache is not None, _work((settings, cache, items, job.timeout))


def _submit(client: Any, job: Job | None, items: list[Any]) -> Any:
    """Send one batch of (article, cache key) to the cluster."""
    return client.submit(run_batch, job, items, pure=False)


@dataclass(frozen=True)
class _InKg:
    """A file or folder inside the `kg` package (a model or ontology it ships), wherever it is installed."""

    relative: str


@dataclass(frozen=True)
class _Local:
    """A file or folder the build names, which every worker must see at the same absolute path."""

    path: str


def _kg_root() -> Path:
    return Path(__file__).resolve().parent


def portable(settings: Any) -> Any:
    """`settings` (`kg.pipeline.Settings`) with every path that exists here made absolute, and those
    inside `kg` relative to it, so that a worker in another folder or on another machine finds them."""
    roots = (Path(os.path.abspath(os.path.dirname(__file__))), _kg_root())  # as imported, and resolved

    def convert(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(convert(v) for v in value)
        if isinstance(value, str) and value and os.path.exists(value):
            path = Path(os.path.abspath(value))
            for candidate, root in zip((path, path.resolve()), roots, strict=True):
                if candidate.is_relative_to(root):
                    return _InKg(candidate.relative_to(root).as_posix())
            return _Local(str(path))
        return value

    return convert(settings)


def on_worker(settings: Any) -> Any:
    """`portable(settings)` as paths of this machine; FileNotFoundError for a file it does not have."""
    root = _kg_root()

    def convert(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(convert(v) for v in value)
        if isinstance(value, _InKg):
            return str(root / value.relative)
        if isinstance(value, _Local):
            if not os.path.exists(value.path):
                raise FileNotFoundError(
                    f"worker {socket.gethostname()} has no {value.path}: files a cluster build names "
                    "must be at the same path on every worker"
                )
            return value.path
        return value

    return convert(settings)


def fingerprint(settings: Any) -> str:
    """A digest of what decides an article's result besides its text: the versions and analysing code
    of `kg` and spaCy, the ontology, the spaCy model each language gets, and the bytes of every other
    file or folder `settings` names. Workers whose fingerprint is the build's give its bytes."""
    from .analyse import resolve_model
    from .cache import cache_salt
    from .ontology import load
    from .pipeline import PIPELINE_VERSION
    from .read import SUPPORTED_LANGUAGES

    ontology, model, *others = settings
    digest = hashlib.sha256(cache_salt(PIPELINE_VERSION, load(tuple(ontology)).version).encode())
    for lang in sorted(SUPPORTED_LANGUAGES):
        digest.update(f"\0{lang}={resolve_model(model, lang)}".encode())
    for value in [model, *others]:
        if isinstance(value, str) and value and os.path.exists(value):
            path = Path(value)
            for file in sorted([path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())):
                digest.update(b"\0" + file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


_PREPARED: dict[tuple[str, str], Any] = {}


def _prepared(settings: Any, expected: str) -> Any:
    """The worker's settings for a build, checked once per process against the build's fingerprint."""
    key = (repr(settings), expected)
    if key not in _PREPARED:
        local = on_worker(settings)
        if fingerprint(local) != expected:
            raise RuntimeError(
                f"worker {socket.gethostname()} does not have the build's kg, spaCy, spaCy models or "
                "ontology: install the same versions on every machine"
            )
        _PREPARED[key] = local
    return _PREPARED[key]


def _result(client: Any, future: Any, address: str, distributed: Any, size: int) -> tuple[bool, list[Any]]:
    """What `run_batch` returned for one batch; a batch that kept killing workers gives one failure
    per article."""
    from distributed.scheduler import KilledWorker

    waited_without_workers = 0.0
    while True:
        try:
            return future.result(timeout=5)
        except distributed.TimeoutError:
            pass
        except KilledWorker:
            log.warning("a batch of %d articles killed its workers; its articles are skipped", size)
            return False, ["analysis failed: the batch killed every worker that ran it"] * size
        except (distributed.client.FutureCancelledError, distributed.CancelledError) as exc:
            raise ClusterError(f"lost the Dask scheduler at {address}") from exc
        except Exception as exc:
            reason = (str(exc).splitlines() or [""])[0]
            raise ClusterError(f"the Dask cluster at {address} failed: {type(exc).__name__}: {reason}") from exc
        try:
            threads = worker_threads(client) if client.status == "running" else -1
        except ClusterError:
            threads = -1
        if threads < 0:
            raise ClusterError(f"lost the Dask scheduler at {address}")
        waited_without_workers = 0.0 if threads else waited_without_workers + 5
        if waited_without_workers >= NO_WORKER_GRACE:
            raise ClusterError(f"the Dask scheduler at {address} has had no worker for {NO_WORKER_GRACE:.0f} s")
