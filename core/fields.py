from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a core.crypto token (AES-GCM); blank stays blank. Not searchable: keep a blind index beside it."""

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value
