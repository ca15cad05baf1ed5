"""Periodic jobs: named callables that the worker runs every so many seconds.

An app registers its jobs with ``job_register`` in a ``periodic.py`` module of its
own (imported the first time the jobs are listed) or in ``AppConfig.ready``. A job
is a dotted path to a callable without arguments, so that registering one imports
nothing heavy.

Every job has one ``PeriodicJob`` row. A worker runs a job only after claiming it
with a conditional ``UPDATE`` of that row (its last start is at least one interval
ago), so that several workers, on one machine or many, never run a job twice in
one interval. A job that fails is logged and tried again after its interval; the
jobs themselves must be idempotent, since a worker may stop half-way.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string

from port2port.core.models import PeriodicJob

logger = logging.getLogger(__name__)

# How often the worker's periodic thread looks for jobs that are due.
TICK_SECONDS = 15.0


@dataclass(frozen=True)
class Job:
    """A job that runs at most once every ``interval`` seconds."""

    name: str
    interval: float
    func: str


_jobs: dict[str, Job] = {}
_lock = threading.Lock()
_discovered = False


def job_register(*, name: str, interval: float, func: str) -> Job:
    """Register a periodic job; registering the same job again changes nothing."""
    if not name or len(name) > 100:
        raise ValueError("A periodic job has a name of 1 to 100 characters.")
    if interval <= 0:
        raise ValueError("A periodic job's interval is a positive number of seconds.")
    job = Job(name=name, interval=float(interval), func=func)
    with _lock:
        existing = _jobs.get(name)
        if existing is not None and existing != job:
            raise ValueError(f"Another periodic job is already named {name!r}.")
        _jobs[name] = job
    return job


def job_unregister(name: str) -> None:
    """Forget a registered job (tests, and apps that turn a job off)."""
    with _lock:
        _jobs.pop(name, None)


def job_list() -> list[Job]:
    """Return the registered jobs, importing every app's ``periodic`` module once."""
    global _discovered  # the registry is kept per process
    if not _discovered:
        autodiscover_modules("periodic")
        _discovered = True
    with _lock:
        return sorted(_jobs.values(), key=lambda job: job.name)


def job_claim(job: Job, *, worker: str, now: dt.datetime | None = None) -> bool:
    """Claim ``job`` for this run if it is due; return whether this worker won it.

    The claim is one conditional ``UPDATE``: of several workers that try at the
    same moment, the database lets exactly one change the row.
    """
    now = now or timezone.now()
    PeriodicJob.objects.bulk_create([PeriodicJob(name=job.name)], ignore_conflicts=True)
    due = Q(started_at__isnull=True) | Q(
        started_at__lte=now - dt.timedelta(seconds=job.interval)
    )
    claimed = PeriodicJob.objects.filter(due, name=job.name).update(
        started_at=now, worker=worker[:100], runs=F("runs") + 1
    )
    return claimed == 1


def job_run(job: Job, *, worker: str, now: dt.datetime | None = None) -> bool:
    """Run ``job`` if this worker claims it; return whether it ran.

    A failure is logged and recorded on the job's row, and does not stop the
    other jobs.
    """
    if not job_claim(job, worker=worker, now=now):
        return False
    try:
        import_string(job.func)()
    except Exception as exc:
        logger.exception("Periodic job %s failed", job.name)
        outcome = {"succeeded": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
    else:
        outcome = {"succeeded": True, "error": ""}
    PeriodicJob.objects.filter(name=job.name).update(
        finished_at=timezone.now(), **outcome
    )
    return True


def jobs_run_due(*, worker: str, now: dt.datetime | None = None) -> list[str]:
    """Run every job that is due and that this worker claims; return their names."""
    return [job.name for job in job_list() if job_run(job, worker=worker, now=now)]


def periodic_loop(
    *, worker: str, stop: threading.Event, tick: float = TICK_SECONDS
) -> None:
    """Run the due jobs every ``tick`` seconds until ``stop`` is set (the worker's thread)."""
    while not stop.is_set():
        try:
            jobs_run_due(worker=worker)
        except Exception:
            logger.exception("Could not run the periodic jobs")
        finally:
            close_old_connections()
        stop.wait(tick)
