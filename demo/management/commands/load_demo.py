from django.core.management.base import BaseCommand

from demo import data
from demo.loader import TOKEN_FILE, load, password


class Command(BaseCommand):
    help = "Load the demo organizations, accounts and partner token (idempotent) / 加载演示数据（可重复执行）"

    def handle(self, *args, **options):
        result = load()
        self.stdout.write(f"组织新建 / organizations created: {len(result['organizations_created'])}")
        self.stdout.write(f"角色授予 / roles granted: {len(result['roles_granted'])}")
        self.stdout.write(f"演示账号 / demo accounts (password: {password()}):")
        for account in data.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<26} {account.role:<14} @ {account.organization}  {account.note}")
        self.stdout.write(f"  {data.SUPERUSER:<26} superuser (/admin/)")
        self.stdout.write(f"合作单位令牌 / partner token for {data.PARTNER_UNIT} (var/{TOKEN_FILE}):")
        self.stdout.write(f"  Authorization: Bearer {result['partner_token']}")
