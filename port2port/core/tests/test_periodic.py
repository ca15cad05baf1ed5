from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from port2port.core import periodic
from port2port.core.models import PeriodicJob

CALLS: list[str] = []


def count_call() -> None:
    CALLS.append("ran")


def fail() -> None:
    raise RuntimeError("the disk is full")


@pytest.fixture
def job() -> Iterator[periodic.Job]:
    CALLS.clear()
    registered = periodic.job_register(
        name="test.count",
        interval=3600,
        func="port2port.core.tests.test_periodic.count_call",
    )
    yield registered
    periodic.job_unregister("test.count")
    CALLS.clear()


def test_a_job_is_registered_once_under_its_name(job: periodic.Job) -> None:
    assert (
        periodic.job_register(
            name="test.count",
            interval=3600,
            func="port2port.core.tests.test_periodic.count_call",
        )
        == job
    )
    with pytest.raises(ValueError, match="already named"):
        periodic.job_register(name="test.count", interval=60, func="x.y")
    with pytest.raises(ValueError, match="positive"):
        periodic.job_register(name="test.never", interval=0, func="x.y")
    assert job in periodic.job_list()


@pytest.mark.django_db
def test_a_job_is_claimed_by_one_worker_per_interval(job: periodic.Job) -> None:
    start = timezone.now()

    assert periodic.job_claim(job, worker="a", now=start) is True
    assert periodic.job_claim(job, worker="b", now=start) is False
    assert (
        periodic.job_claim(job, worker="b", now=start + dt.timedelta(minutes=59))
        is False
    )
    assert periodic.job_claim(job, worker="b", now=start + dt.timedelta(hours=1))

    row = PeriodicJob.objects.get(name="test.count")
    assert (row.worker, row.runs) == ("b", 2)
    assert row.started_at == start + dt.timedelta(hours=1)


@pytest.mark.django_db
def test_due_jobs_run_once_in_their_interval_and_record_the_outcome(
    job: periodic.Job,
) -> None:
    failing = periodic.job_register(
        name="test.fail",
        interval=60,
        func="port2port.core.tests.test_periodic.fail",
    )
    try:
        start = timezone.now()
        ran = periodic.jobs_run_due(worker="a", now=start)
        again = periodic.jobs_run_due(worker="b", now=start + dt.timedelta(seconds=30))
        later = periodic.jobs_run_due(worker="b", now=start + dt.timedelta(seconds=61))
    finally:
        periodic.job_unregister(failing.name)

    assert "test.count" in ran
    assert "test.fail" in ran
    assert "test.count" not in again
    assert "test.fail" not in again
    assert "test.fail" in later
    assert "test.count" not in later
    assert CALLS == ["ran"]
    ok = PeriodicJob.objects.get(name="test.count")
    assert (ok.succeeded, ok.error, ok.runs) == (True, "", 1)
    failed = PeriodicJob.objects.get(name="test.fail")
    assert (failed.succeeded, failed.error, failed.runs) == (
        False,
        "RuntimeError: the disk is full",
        2,
    )


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_a_job_run_it_once(job: periodic.Job) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    now = timezone.now()
    PeriodicJob.objects.create(name=job.name)
    barrier = threading.Barrier(6)
    won: list[bool] = []

    def race(worker: str) -> None:
        try:
            barrier.wait()
            won.append(periodic.job_claim(job, worker=worker, now=now))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=race, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(won) == [False] * 5 + [True]
    assert PeriodicJob.objects.get(name=job.name).runs == 1


# The worker closes connections, as a long-running process must: the test runs
# outside a wrapping transaction so that this is harmless.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_due_jobs(job: periodic.Job) -> None:
    call_command("worker", "--once")
    call_command("worker", "--once")

    assert CALLS == ["ran"]
    assert PeriodicJob.objects.get(name="test.count").succeeded is True
    # The access module's job is found without being imported by hand.
    assert PeriodicJob.objects.filter(name="access.ban_start_due").exists()
