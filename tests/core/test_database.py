"""The embedded SQLite default must queue concurrent writers instead of failing."""

import threading

import pytest
from django.db import connection, connections, transaction

from sportsplatform.regions.models import Region, RegionLevel

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")


@sqlite_only
def test_sqlite_runs_in_wal_mode(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database cannot use WAL; a file database must.
    assert mode == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_queue_instead_of_failing():
    errors = []
    barrier = threading.Barrier(4)

    def writer(n):
        try:
            barrier.wait()
            with transaction.atomic():
                Region.objects.create(code=f"99000{n}", name=f"测试{n}", level=RegionLevel.COUNTY)
                # Hold the transaction briefly so the writers overlap.
                Region.objects.filter(code=f"99000{n}").update(name=f"测试{n}号")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Region.objects.filter(code__startswith="99000").count() == 4
