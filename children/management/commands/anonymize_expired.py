from django.core.management.base import BaseCommand

from children.services import anonymize_expired
from permissions.actor import Actor


class Command(BaseCommand):
    help = "Retention: anonymize children moved or aged out longer than CHILD_RETENTION_DAYS ago / 匿名化保存期满的档案"

    def handle(self, *args, **options):
        count = anonymize_expired(Actor.system("anonymize_expired"))
        self.stdout.write(f"匿名化 / anonymized: {count}")
