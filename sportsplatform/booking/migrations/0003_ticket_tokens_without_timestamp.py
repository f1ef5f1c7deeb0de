"""Ticket QR tokens no longer carry a signing timestamp (they were never reproducible after the
second they were issued in): store the hash of each ticket's new, deterministic token."""

import hashlib

from django.core import signing
from django.db import migrations

SALT = "booking.ticket"


def rehash(apps, schema_editor):
    Ticket = apps.get_model("booking", "Ticket")
    signer = signing.Signer(salt=SALT)
    for ticket in Ticket.objects.only("pk", "order_id").iterator(chunk_size=2000):
        token = signer.sign_object({"t": ticket.pk, "o": ticket.order_id})
        Ticket.objects.filter(pk=ticket.pk).update(token_hash=hashlib.sha256(token.encode()).hexdigest())


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_holiday_calendar")]

    # Reversing leaves the new hashes: the old tokens cannot be rebuilt (they held a timestamp).
    operations = [migrations.RunPython(rehash, migrations.RunPython.noop)]
