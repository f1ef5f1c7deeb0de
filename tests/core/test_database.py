"""Both engines must let concurrent writers queue instead of failing."""

import threading

import pytest
from django.db import connection, connections, transaction

from sportsplatform.regions.models import Region, RegionLevel


def test_database_engine_is_configured_for_concurrent_writers(db):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        assert mode == "wal"
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert connection.vendor == "postgresql"
        # Persistent connections with health checks: no reconnect per request under gunicorn.
        assert connection.settings_dict["CONN_MAX_AGE"] == 60
        assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


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
