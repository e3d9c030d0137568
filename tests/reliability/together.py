"""Running services at the same moment, each in its own thread with its own database connection.

The pattern of tests/assessments/test_concurrency.py (`decide_together`), for any callables: a barrier
releases every job at once, and each job reports its return value or the exception it raised.
"""

import threading
from dataclasses import dataclass

from django.db import connection

# A job waiting for a row lock held by a sleeping job may take this long on a busy machine.
JOIN_SECONDS = 120


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_together(jobs: dict, *, barrier_seconds: float = 30) -> dict[str, Outcome]:
    """Run each `name: callable` in a thread named `name`, released together; their outcomes by name."""
    barrier = threading.Barrier(len(jobs))
    outcomes = {name: Outcome() for name in jobs}

    def run(name, job):
        try:
            barrier.wait(timeout=barrier_seconds)
            outcomes[name].value = job()
        except BaseException as error:  # reported by the test, not lost in the thread
            outcomes[name].error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert all(not thread.is_alive() for thread in threads), "a job's thread hung"
    return outcomes


def current_job() -> str:
    """The name of the job running in this thread (for a patched service that behaves per job)."""
    return threading.current_thread().name
