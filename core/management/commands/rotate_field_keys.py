"""Re-encrypt every encrypted field under the newest key of FIELD_ENCRYPTION_KEYS.

Rotation: prepend a new key to FIELD_ENCRYPTION_KEYS (keep the old ones), run this command, then drop the
old keys. Values are read with any listed key and written back under the newest, in batches, each in its own
transaction; the command can be re-run safely. Every row is rewritten, so values stored as Fernet tokens (before
core.crypto sealed fields with AES-GCM) come out in the current format too.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.fields import EncryptedTextField

BATCH = 1000


def encrypted_fields():
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def rotate_model(model, names) -> int:
    rows = model._base_manager.order_by("pk").only("pk", *names)
    rotated, last = 0, None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:BATCH])
        if not batch:
            return rotated
        with transaction.atomic():
            model._base_manager.bulk_update(batch, names)
        rotated += len(batch)
        last = batch[-1].pk


class Command(BaseCommand):
    help = "Re-encrypt personal data under the newest FIELD_ENCRYPTION_KEYS key / 用最新密钥重新加密个人信息"

    def handle(self, *args, **options):
        for model, names in encrypted_fields():
            count = rotate_model(model, names)
            self.stdout.write(f"{model._meta.label}: {count} rows ({', '.join(names)})")
