"""The county-scale demo (`make run DEMO=county`): bench.generate's county world (a league and a women's
federation tree of 12 townships and 250 villages, 20 units, 10,000 children, 20,000 wishes and their programs)
in a PostgreSQL database of its own (bench_prov_county_demo, so that a benchmark's bench_prov_county is
never dropped under it; BENCH_DATABASE_URL names another bench_prov_* database), the ordinary demo loaded beside it, and the same demo accounts given the
same roles in the generated county too, so that paging, search and charts can be tried at volume. The header's
switcher moves between the two.

    python -m demo.county          # (re)builds bench_prov_county_demo on 127.0.0.1:5432, writes var/demo_county.env

The server must run with the generator's keys (the children's personal data is encrypted with them):
`make run DEMO=county` reads var/demo_county.env.
"""

import os
import sys

from bench import common

SCALE = "county"
SEED = 1
ENV_FILE = common.ROOT / "var" / "demo_county.env"
# demo account: (role, system, level, which one of that level): the place it holds in the generated county
PLACES = {
    "xiangyang_league_viewer": ("ROLLUP_VIEWER", "LEAGUE", 3, 0),
    "baokang_league_admin": ("ORG_ADMIN", "LEAGUE", 4, 0),
    "auditor_baokang": ("AUDITOR", "LEAGUE", 4, 0),
    "maliang_league_staff": ("STAFF", "LEAGUE", 5, 0),
    "huangbao_league_staff": ("STAFF", "LEAGUE", 5, 1),
    "baokang_wf_staff": ("STAFF", "WOMENS_FEDERATION", 4, 0),
}


def main() -> None:
    from bench import generate

    os.environ.setdefault("BENCH_DATABASE_URL", f"{common.DEFAULT_SERVER}/{common.database_name(SCALE)}_demo")
    generate.generate(SCALE, SEED)  # sets DATABASE_URL and the bench keys in os.environ, sets Django up
    from django.db import transaction

    from demo import loader
    from orgs.models import Organization
    from permissions.actor import Actor
    from permissions.services import grant_role
    from rollups import services as rollups

    generated = {}
    for username, (role, system, level, index) in PLACES.items():
        nodes = Organization.objects.filter(system=system, level=level).order_by("path")
        generated[username] = (role, nodes[index].pk)
    summary = loader.load()
    actor = Actor.system("demo.county")
    with transaction.atomic():
        for username, (role, organization_id) in generated.items():
            grant_role(actor, organization_id=organization_id, role=role, username=username)
    rollups.refresh()
    keys = ("DATABASE_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY")
    ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text("".join(f"{key}={os.environ[key]}\n" for key in keys))
    ENV_FILE.chmod(0o600)
    print(f"县级规模演示数据已生成：{os.environ['DATABASE_URL']}（演示账号在生成的县里有同样的角色，页头可切换）",
          file=sys.stderr)
    print(f"partner token: {summary['partner_token']}", file=sys.stderr)


if __name__ == "__main__":
    main()
