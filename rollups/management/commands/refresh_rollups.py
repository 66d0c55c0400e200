from django.core.management.base import BaseCommand

from rollups.services import refresh


class Command(BaseCommand):
    help = "Recompute every rollup figure / 重新统计全部汇总数据"

    def handle(self, *args, **options):
        run = refresh()
        self.stdout.write(f"{run.rows} figures in {run.seconds:.1f} s / 统计完成")
