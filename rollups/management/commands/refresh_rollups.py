from django.core.management.base import BaseCommand

from rollups.services import fold, refresh


class Command(BaseCommand):
    help = "Rebuild every rollup figure in SQL (repair), or fold the pending changes / 重新统计全部汇总数据"

    def add_arguments(self, parser):
        parser.add_argument("--fold", action="store_true", help="only fold the pending changes / 仅汇总待汇总的变更")

    def handle(self, *args, **options):
        run = fold() if options["fold"] else refresh()
        self.stdout.write(f"{run.dirty_keys} dirty, {run.rows} figures, {run.statements} statements in {run.seconds:.1f} s "
                          "/ 统计完成")
