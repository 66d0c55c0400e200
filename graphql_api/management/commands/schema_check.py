from django.core.management.base import BaseCommand, CommandError

from graphql_api import contract


class Command(BaseCommand):
    help = "Check frontend_schema/: SDL up to date, operations valid; list breaking changes against git HEAD."

    def handle(self, *args, **options):
        live = contract.live_sdl()
        failed = False
        if contract.committed_sdl() != live:
            self.stdout.write(self.style.ERROR("frontend_schema/schema.graphql is stale: run `make schema`."))
            failed = True
        for name, errors in contract.operation_errors(live).items():
            failed = True
            for error in errors:
                self.stdout.write(self.style.ERROR(f"{name}: {error}"))
        head = contract.sdl_at_head()
        if head is None:
            self.stdout.write("No committed SDL at git HEAD to compare with.")
        else:
            breaking, dangerous = contract.changes(head, live)
            self.stdout.write(f"Breaking changes since HEAD: {len(breaking)}")
            for line in breaking:
                self.stdout.write(self.style.WARNING(f"  BREAKING {line}"))
            for line in dangerous:
                self.stdout.write(f"  dangerous {line}")
        if failed:
            raise CommandError("schema contract check failed")
        self.stdout.write(self.style.SUCCESS("Schema contract OK."))
