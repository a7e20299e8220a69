"""Process helpers shared by the stages that fork: the parallel build, the page writer, query timeouts."""

from __future__ import annotations

import os


def fork_is_safe() -> bool:
    """Forking copies only the calling thread: safe while this process has one OS thread (Linux).

    A process with other threads (a database's, a browser driver's) may have locks held in them
    that the forked copy would wait on forever.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1  # native threads are invisible to `threading`
    except OSError:
        return False
