"""Province-scale data set for the benchmarks (issue 9), deterministic from a seed.

    python -m bench.generate --scale county|city|province [--seed 1]      (make bench-data: province)

Builds a fresh PostgreSQL database ``bench_prov_<scale>`` (dropped and recreated; BENCH_DATABASE_URL may
name another ``bench_prov_*`` database), migrates it, then bulk-loads with COPY:

- the league tree and a women's-federation tree of the same shape (province: 1 province, 14 cities,
  100 counties, 1,200 townships, 25,000 villages each; city and county scale proportionally smaller), paths
  made with orgs.paths (one fixed-width step per level, as orgs.services does), nested division codes;
- partner units (单位) under the league counties;
- children in villages and townships of both trees, each with one or two guardians. ID numbers are valid
  GB 11643 numbers (children.idcard.check_char) of the owning county's region; the ID number, address and
  phones are encrypted by the model fields' own ``get_prep_value`` (core.crypto, as a save does) and
  ``id_index`` is children.services.index_of (the blind index) — no second copy of either rule;
- micro-wishes in every state of wishes.models.State, with claims (1+1 and N+1 shares) on covered wishes;
- the sample actors of bench.common.ACTORS and a partner unit's API token, through permissions.services
  (grant_role, create_token), as in production.

- programs (load_programs): happy-home sites with staff, children served and volunteers; volunteers (phone
  encrypted by the model field); 七彩假期 projects and service points; service records; pairings; three
  campaigns and activities (province: 3,000 sites, 200,000 volunteers, 400,000 records, 100,000 pairings,
  60,000 activities; see common.SCALES).
Encryption of children runs in 2 processes (fork); each table is one COPY stream.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench import common

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "小子一文明华建国志海玉秀英兰芳娟丽敏静雪梅婷慧欣宇浩然俊杰涛鹏飞磊强军平安佳怡思雨晨阳博睿轩涵萱琪"
GRADES = ("学前班", "一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级")
RELATIONS = (("祖父", "祖母"), ("外祖父", "外祖母"), ("母亲",), ("父亲",), ("伯父",), ("姑姑",))
ARRANGEMENTS = ("GRANDPARENTS", "SINGLE_PARENT", "RELATIVES", "ONE_PARENT_HOME", "OTHER")
CATEGORIES = ("IN_DIFFICULTY", "DE_FACTO_ORPHAN", "DISABLED", "MIGRANT")
NEEDS = ("STUDY", "PSYCHOLOGICAL", "SAFETY", "LIVING", "HEALTH")
WORK_PLACES = ("广东省深圳市", "浙江省杭州市", "江苏省苏州市", "湖北省武汉市", "上海市", "福建省厦门市", "")
WISH_TITLES = (("一个新书包", "STUDY_SUPPLIES", 80), ("一套课外书", "STUDY_SUPPLIES", 120), ("一双运动鞋", "ITEM", 150),
               ("一件羽绒服", "DAILY_NECESSITIES", 200), ("学会游泳", "SKILL", 300), ("和爸爸妈妈视频通话", "COMPANIONSHIP", 50),
               ("一台电子琴", "ITEM", 400), ("去县城科技馆", "YARD", 100), ("一盏护眼台灯", "STUDY_SUPPLIES", 90),
               ("过冬的棉被", "DAILY_NECESSITIES", 180), ("一个篮球", "ITEM", 60), ("学画画", "SKILL", 250))
UNIT_KINDS = (("COMPANY", "有限公司"), ("STATE_ENTERPRISE", "供电公司"), ("SCHOOL", "中学"), ("HOSPITAL", "医院"),
              ("SOCIAL_ORGANIZATION", "爱心协会"), ("GOVERNMENT_DEPARTMENT", "农业局"), ("VOLUNTEER_ASSOCIATION", "志愿者协会"))
# Wish states and their shares (all of wishes.models.State).
STATES = (("COLLECTED", 8), ("RETURNED", 2), ("REVIEWED", 5), ("PUBLISHED", 20), ("CLAIMED", 15), ("PREPARED", 5),
          ("DELIVERED", 10), ("FULFILLED", 27), ("WITHDRAWN", 2), ("CLOSED", 3), ("ESCALATED", 3))
COVERED = {"CLAIMED", "PREPARED", "DELIVERED", "FULFILLED"}
CHILD_STATUS = (("ACTIVE", 94), ("MOVED_OUT", 3), ("AGED_OUT", 2), ("CLOSED", 1))

FIRST_BIRTH = date(2009, 1, 1)
BIRTH_DAYS = 5000            # birth dates 2009-01-01 .. 2022-09-09
ID_SPACE = BIRTH_DAYS * 999  # (birth date, sequence) pairs; child i gets pair (i * ID_STRIDE) mod ID_SPACE
ID_STRIDE = 7919             # prime, coprime with ID_SPACE: a bijection, so ID numbers are unique
CHILD_EPOCH = datetime(2023, 1, 1, tzinfo=UTC)   # children registered from here ...
WISH_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)    # wishes collected from here ...
DATA_END = datetime(2026, 11, 1, tzinfo=UTC)     # ... until here, created_at growing with the id
VILLAGE_SHARE = 0.85  # children kept by villages; the rest by townships
LEAGUE_SHARE = 0.75   # children kept in the league tree; the rest in the women's federation tree
BATCH = 20_000


def log(message):
    common.log("generate", message)


# --- database ------------------------------------------------------------------------------------------


def recreate_database(url):
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    if not name.startswith(common.DB_PREFIX):
        raise SystemExit(f"refusing to drop {name!r}: only {common.DB_PREFIX}_* databases")
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created a fresh database {name}")


def raw_connection():
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"])


def escape(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def line(*values) -> str:
    return "\t".join(escape(v) for v in values) + "\n"


def copy_lines(conn, table, columns, chunks):
    """COPY an iterable of text chunks into ``table``; the count of lines written."""
    rows = 0
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for chunk in chunks:
            copy.write(chunk)
            rows += chunk.count("\n")
    return rows


def reset_sequences(conn, tables):
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"greatest((SELECT max(id) FROM {table}), 1))")


# --- the forest ----------------------------------------------------------------------------------------


TREES = (
    # system, kinds (province..township), village kind, name pattern per level
    ("LEAGUE", "LEAGUE_COMMITTEE", "LEAGUE_BRANCH",
     ("共青团基准省委", "共青团{n}市委", "共青团{n}县委", "{n}镇团委", "{n}村团支部")),
    ("WOMENS_FEDERATION", "WOMENS_FEDERATION", "VILLAGE_WOMENS_FEDERATION",
     ("基准省妇联", "{n}市妇联", "{n}县妇联", "{n}镇妇联", "{n}村妇联")),
)
PLACE_SYLLABLES = "安宝昌东丰福高广河和华黄金康乐林龙马南平青清山石双松太天铁新兴阳永玉长中"


def place_name(rng, used):
    while True:
        name = "".join(rng.choice(PLACE_SYLLABLES) for _ in range(2))
        if name not in used:
            used.add(name)
            return name


def plan_forest(size, seed):
    """One tree's shape (the same for both systems): per level, a list of (parent index, step, division
    code, place name). Every parent gets at least one child, the rest are spread at random (seeded)."""
    rng = random.Random(f"forest-{seed}")
    levels = [[(None, 1, "420000", "基准")]]
    for key, width in (("cities", None), ("counties", None), ("townships", 3), ("villages", 3)):
        parents, count = levels[-1], size[key]
        owners = sorted(list(range(len(parents))) + [rng.randrange(len(parents)) for _ in range(count - len(parents))])
        steps, used, nodes = {}, {}, []
        for owner in owners:  # names unique among siblings (as orgs.services requires)
            steps[owner] = steps.get(owner, 0) + 1
            step, code = steps[owner], parents[owner][2]
            if key == "cities":
                division = f"42{step:02d}00"
            elif key == "counties":
                division = code[:4] + f"{step:02d}"
            else:
                division = code + f"{(100 if key == 'townships' else 200) + step:0{width}d}"
            nodes.append((owner, step, division, place_name(rng, used.setdefault(owner, set()))))
        levels.append(nodes)
    return levels


def load_forest(conn, size, seed):
    """COPY both trees and the units; returns {system: [level lists of (id, path, division, name)]}, units."""
    from orgs.models import Level
    from orgs.paths import encode_step

    shape = plan_forest(size, seed)
    now = datetime.now(UTC).isoformat()
    level_numbers = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    next_id, chunks, trees = 1, [], {}
    for root_step, (system, kind, village_kind, names) in enumerate(TREES, 1):
        built = []
        for depth, nodes in enumerate(shape):
            level_rows, parents = [], built[-1] if built else None
            for owner, step, division, place in nodes:
                parent_id, parent_path = (parents[owner][0], parents[owner][1]) if parents else (None, "")
                path = parent_path + encode_step(root_step if depth == 0 else step)
                name = names[depth].format(n=place)
                row_kind = village_kind if depth == 4 else kind
                chunks.append(line(next_id, name, "", system, row_kind, int(level_numbers[depth]), division,
                                   parent_id, path, depth + 1, None, None, now, now))
                level_rows.append((next_id, path, division, name))
                next_id += 1
            built.append(level_rows)
        trees[system] = built
    # partner units (单位) at county level under the league counties
    rng = random.Random(f"units-{seed}")
    counties, units = trees["LEAGUE"][2], []
    steps = {}
    for number in range(size["units"]):
        county_id, county_path, county_code, county_name = counties[number % len(counties)]
        kind, suffix = UNIT_KINDS[rng.randrange(len(UNIT_KINDS))]
        steps[county_id] = steps.get(county_id, 0) + 1
        path = county_path + encode_step(5000 + steps[county_id])  # after the townships' steps
        name = f"{county_name.removeprefix('共青团').removesuffix('县委')}县{suffix}{number + 1}"
        chunks.append(line(next_id, name, "", "UNIT", kind, int(Level.COUNTY), county_code, county_id, path,
                           len(path) // 4, None, None, now, now))
        units.append((next_id, path, county_code, name))
        next_id += 1
    copy_lines(conn, "orgs_organization", ("id", "name", "short_name", "system", "kind", "level", "division_code",
                                           "parent_id", "path", "depth", "archived_at", "merged_into_id",
                                           "created_at", "updated_at"), [ "".join(chunks)])
    return trees, units


# --- children --------------------------------------------------------------------------------------------


_OWNERS = None   # set before the worker pool forks: [(org id, path, county code, village code)]
_CHILD_OWNER = None  # owner index of child i


def owner_table(trees, size, seed):
    """Who keeps each child: villages (85 %) and townships of both trees (75 % league)."""
    owners, weights = [], []
    for system, share in (("LEAGUE", LEAGUE_SHARE), ("WOMENS_FEDERATION", 1 - LEAGUE_SHARE)):
        townships, villages = trees[system][3], trees[system][4]
        for rows, level_share in ((villages, VILLAGE_SHARE), (townships, 1 - VILLAGE_SHARE)):
            for org_id, path, division, _ in rows:
                owners.append((org_id, path, division[:6], division))
                weights.append(share * level_share / len(rows))
    rng = random.Random(f"owners-{seed}")
    assignment = rng.choices(range(len(owners)), weights=weights, k=size["children"])
    return owners, assignment


def id_number(i, region):
    from children.idcard import check_char

    j = (i * ID_STRIDE) % ID_SPACE
    born = FIRST_BIRTH + timedelta(days=j % BIRTH_DAYS)
    first17 = f"{region}{born:%Y%m%d}{j // BIRTH_DAYS + 1:03d}"
    return first17 + check_char(first17), born


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _children_batch(args):
    """COPY text for children [first, first + count) and their guardians (runs in a worker process)."""
    from children.models import Child, Guardian
    from children.services import index_of

    first, count, total, seed = args
    encrypt_id = Child._meta.get_field("id_number").get_prep_value
    encrypt_address = Child._meta.get_field("address").get_prep_value
    encrypt_phone = Guardian._meta.get_field("phone").get_prep_value
    rng = random.Random(f"children-{seed}-{first}")
    span = (DATA_END - CHILD_EPOCH) / total
    children, guardians = [], []
    guardian_id = first * 2  # at most two guardians per child: ids never collide across batches
    statuses, status_weights = zip(*CHILD_STATUS)
    for i in range(first, first + count):
        org_id, path, region, village_code = _OWNERS[_CHILD_OWNER[i]]
        number, born = id_number(i, region)
        sex = "MALE" if int(number[16]) % 2 else "FEMALE"
        status = rng.choices(statuses, status_weights)[0]
        created = CHILD_EPOCH + span * i
        categories = ["LEFT_BEHIND"] + ([rng.choice(CATEGORIES)] if rng.random() < 0.15 else [])
        needs = rng.sample(NEEDS, rng.randrange(0, 3))
        address = f"基准省{village_code[:6]}县{rng.randrange(1, 30)}组{rng.randrange(1, 80)}号"
        age = (date(2026, 9, 1) - born).days // 365
        grade = GRADES[min(max(age - 5, 0), len(GRADES) - 1)]
        changed = created + timedelta(days=rng.randrange(30, 300)) if status != "ACTIVE" else None
        children.append(line(
            i + 1, org_id, path, person_name(rng), sex, born.isoformat(), encrypt_id(number), index_of(number),
            json.dumps(categories), json.dumps(needs), f"{village_code[6:9]}镇中心小学" if age < 12 else "镇初级中学",
            grade, village_code, encrypt_address(address), rng.choice(ARRANGEMENTS), rng.choice(WORK_PLACES),
            status, "已结案" if status == "CLOSED" else "", changed and changed.isoformat(), None,
            created.isoformat(), (changed or created).isoformat()))
        for relation in rng.choice(RELATIONS):
            guardian_id += 1
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            guardians.append(line(guardian_id, i + 1, person_name(rng), relation, encrypt_phone(phone)))
    return "".join(children), "".join(guardians)


def load_children(conn, size, seed, processes):
    from multiprocessing import get_context

    total = size["children"]
    batches = [(first, min(BATCH, total - first), total, seed) for first in range(0, total, BATCH)]
    child_columns = ("id", "organization_id", "org_path", "name", "sex", "birth_date", "id_number", "id_index",
                     "categories", "needs", "school", "grade", "home_division_code", "address",
                     "guardian_arrangement", "parents_work_place", "status", "closed_reason", "status_changed_at",
                     "anonymized_at", "created_at", "updated_at")
    guardian_columns = ("id", "child_id", "name", "relation", "phone")
    guardian_chunks = []
    done = 0
    with get_context("fork").Pool(processes) as pool, conn.cursor() as cursor:
        with cursor.copy(f"COPY children_child ({', '.join(child_columns)}) FROM STDIN") as copy:
            for children, guardians in pool.imap(_children_batch, batches):
                copy.write(children)
                guardian_chunks.append(guardians)
                done += children.count("\n")
                if done % (BATCH * 10) == 0 or done == total:
                    log(f"  children {done:,} / {total:,}")
    guardians = copy_lines(conn, "children_guardian", guardian_columns, guardian_chunks)
    return total, guardians


# --- wishes ------------------------------------------------------------------------------------------------


def load_wishes(conn, size, seed, owners, assignment, trees, units):
    """Wishes (most for a child, some for a poor household) in every state, claims on covered ones."""
    rng = random.Random(f"wishes-{seed}")
    total, children = size["wishes"], size["children"]
    # organization id by path: an escalated wish is handled by the collecting body's parent
    parents = {path: org_id for system in trees.values() for level in system for org_id, path, _, _ in level}
    states, state_weights = zip(*STATES)
    span = (DATA_END - WISH_EPOCH) / total
    wish_columns = ("id", "organization_id", "org_path", "child_id", "household", "title", "text", "category",
                    "estimated_value", "quantity", "state", "covered_amount", "handling_organization_id",
                    "claim_deadline", "return_reason", "close_reason", "published_at", "delivered_at",
                    "fulfilled_at", "escalated_at", "delivery_note", "thanks", "created_at", "updated_at", "claimed_at",
                    "closed_at")
    claim_columns = ("id", "wish_id", "donor_kind", "donor_user_id", "donor_unit_id", "donor_label", "amount",
                     "via_dispatch", "created_at")
    wish_lines, claim_lines, claim_id, claims = [], [], 0, 0
    counts = dict.fromkeys(states, 0)
    with conn.cursor() as wc, wc.copy(f"COPY wishes_wish ({', '.join(wish_columns)}) FROM STDIN") as copy:
        for i in range(total):
            if rng.random() < 0.85:
                child = rng.randrange(children)
                org_id, path = owners[assignment[child]][:2]
                child_id, household = child + 1, ""
            else:
                org_id, path = owners[assignment[rng.randrange(children)]][:2]
                child_id, household = None, person_name(rng) + "家"
            title, category, value = WISH_TITLES[rng.randrange(len(WISH_TITLES))]
            value = Decimal(value)
            state = rng.choices(states, state_weights)[0]
            counts[state] += 1
            created = WISH_EPOCH + span * i
            published = created + timedelta(days=rng.randrange(3, 15))
            stamp = lambda days: (published + timedelta(days=days)).isoformat()  # noqa: E731
            covered = value if state in COVERED else (
                (value * rng.choice((Decimal("0.25"), Decimal("0.5")))) if state == "PUBLISHED" and rng.random() < 0.3
                else Decimal(0))
            handling = parents[path[:-4]] if state == "ESCALATED" else None
            is_published = state not in ("COLLECTED", "RETURNED", "REVIEWED", "WITHDRAWN")
            updated = created
            wish_lines.append(line(
                i + 1, org_id, path, child_id, household, title, f"我想要{title}，谢谢叔叔阿姨！", category, value, 1,
                state, covered, handling, (published + timedelta(days=30)).date().isoformat() if is_published else None,
                "请补充孩子的具体情况" if state == "RETURNED" else "", "孩子想让爸爸妈妈回家" if state == "CLOSED" else "",
                published.isoformat() if is_published else None,
                stamp(20) if state in ("DELIVERED", "FULFILLED") else None,
                stamp(25) if state == "FULFILLED" else None, stamp(31) if state == "ESCALATED" else None,
                "已送到孩子手中" if state in ("DELIVERED", "FULFILLED") else "",
                "谢谢爱心人士！" if state == "FULFILLED" else "", created.isoformat(), updated.isoformat(),
                stamp(3) if state in COVERED else None,  # fully claimed by the last claim (days 1–3)
                stamp(40) if state == "CLOSED" else None))
            if covered:
                shares = [covered] if rng.random() < 0.7 or covered < 60 else \
                    [covered / 2, covered - covered / 2] if rng.random() < 0.7 else \
                    [covered / 4, covered / 4, covered - covered / 2]
                for day, amount in enumerate(shares, 1):
                    claim_id += 1
                    if rng.random() < 0.5:
                        unit_id, _, _, unit_name = units[rng.randrange(len(units))]
                        donor = ("UNIT", None, unit_id, unit_name)
                    else:
                        donor = ("PERSON", None, None, person_name(rng))
                    claim_lines.append(line(claim_id, i + 1, *donor, amount.quantize(Decimal("0.01")),
                                            "f" if rng.random() < 0.9 else "t", stamp(day)))
            if len(wish_lines) == BATCH:
                copy.write("".join(wish_lines))
                wish_lines.clear()
                if (i + 1) % (BATCH * 10) == 0:
                    log(f"  wishes {i + 1:,} / {total:,}")
        copy.write("".join(wish_lines))
    claims = copy_lines(conn, "wishes_claim", claim_columns, ["".join(claim_lines)])
    return counts, claims


# --- programs -------------------------------------------------------------------------------------------


HOME_CORNERS = (("READING", "智慧书屋"), ("ART", "七彩书法绘画角"), ("COUNSELLING", "心灵营养驿站"),
                ("ONLINE", "快乐网上行"), ("PARENT_CHILD", "亲子乐园"))
ORIGINS = (("UNIVERSITY", "基准大学"), ("UNIT", "供电公司"), ("WULAO", ""), ("SURROGATE_MOTHER", ""),
           ("PARENTING_LECTURER", "家庭教育讲师团"), ("YOUTH", ""), ("OTHER", ""))
SKILLS = ("辅导作业", "绘画", "书法", "音乐", "体育", "心理辅导", "手工", "阅读")
ACTIVITY_KINDS = (("LECTURE", "安全知识讲座"), ("SUMMER_CAMP", "七彩夏令营"), ("AFTER_SCHOOL", "四点半课堂"),
                  ("PARENT_CHILD", "亲情视频连线"), ("FESTIVAL", "六一游园会"), ("VISIT", "走访慰问"), ("OTHER", "读书分享会"))
PAIRING_KINDS = (("BIG_HAND", 50), ("SURROGATE_MOTHER", 30), ("HAND_IN_HAND", 20))
PROGRAM_START = date(2024, 1, 1)
PROGRAM_DAYS = (DATA_END.date() - PROGRAM_START).days  # program dates 2024-01-01 .. 2026-10-31
PROGRAM_TABLES = ("programs_campaign", "programs_happyhome", "programs_homestaff", "programs_homechild",
                  "programs_happyhome_volunteers", "programs_volunteer", "programs_holidayproject",
                  "programs_servicepoint", "programs_servicepoint_volunteers", "programs_servicerecord",
                  "programs_pairing", "programs_activity")


def load_programs(conn, size, seed, trees, units, owners, assignment):
    """Happy-home sites (with staff, children served and volunteers), volunteers (phone encrypted by the model
    field's own ``get_prep_value``), 七彩假期 projects of every league county (summer and winter, 2024–2026)
    with service points and their volunteers, service records (hours, 90 % confirmed) at sites and points,
    pairings (child + volunteer, or a 手拉手 partner child; 15 % closed, last contacts spread so that some
    are overdue), three province campaigns and activities at sites and points. All by COPY, ids set here,
    ``org_path`` copied from the owner. Returns {table: rows}."""
    from programs.models import Volunteer

    encrypt_phone = Volunteer._meta.get_field("phone").get_prep_value
    rng = random.Random(f"programs-{seed}")
    counts = {}

    def day(offset):
        return PROGRAM_START + timedelta(days=offset)

    def at(when):  # a date's noon in China, as a timestamp
        return f"{when.isoformat()} 12:00:00+08"

    def copy(table, columns, rows):
        counts[table] = copy_lines(conn, table, columns, ["".join(rows)])

    league = trees["LEAGUE"]
    province = league[0][0]
    # campaigns (行动) of the league province committee, one a year
    campaigns = []
    for year in (2024, 2025, 2026):
        campaigns.append((len(campaigns) + 1, date(year, 6, 1), date(year, 9, 30)))
    copy("programs_campaign", ("id", "organization_id", "org_path", "title", "notice_title", "notice_text", "starts_on",
                               "ends_on", "report_deadline", "announced_by", "created_at"),
         [line(cid, province[0], province[1], f"{first.year}年关爱留守儿童七彩行动",
               f"关于开展{first.year}年关爱留守儿童七彩行动的通知", "各市团委：现将行动方案印发给你们，请认真组织实施。",
               first, last, last + timedelta(days=15), "bench.generate", at(first - timedelta(days=10)))
          for cid, first, last in campaigns])

    # volunteers: 80 % league, 40 % at counties and 60 % at townships; indexed by county code for matching
    counties = {system: tree[2] for system, tree in trees.items()}
    townships = {system: tree[3] for system, tree in trees.items()}
    lines, by_county = [], {}
    for vid in range(1, size["volunteers"] + 1):
        system = "LEAGUE" if rng.random() < 0.8 else "WOMENS_FEDERATION"
        if rng.random() < 0.4:
            org_id, path, division, _ = counties[system][rng.randrange(len(counties[system]))]
        else:
            org_id, path, division, _ = townships[system][rng.randrange(len(townships[system]))]
        origin, origin_name = ORIGINS[rng.randrange(len(ORIGINS))]
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        created = day(rng.randrange(PROGRAM_DAYS))
        lines.append(line(vid, org_id, path, person_name(rng), encrypt_phone(phone), origin, origin_name,
                          f"{division[:6]}志愿服务队", json.dumps(rng.sample(SKILLS, rng.randrange(0, 3)), ensure_ascii=False),
                          at(created)))
        by_county.setdefault(division[:6], []).append(vid)
    copy("programs_volunteer", ("id", "organization_id", "org_path", "name", "phone", "origin", "origin_name", "team",
                                "skills", "created_at"), lines)
    all_volunteers = range(1, size["volunteers"] + 1)

    def volunteers_of(region, k):
        pool = by_county.get(region) or all_volunteers
        return rng.sample(pool, min(k, len(pool)))

    # children by township (the four-level path prefix), for the children a site serves
    by_township = {}
    for child, owner in enumerate(assignment):
        by_township.setdefault(owners[owner][1][:16], []).append(child + 1)

    # happy-home sites at townships (75 % league), staff, children served, volunteers
    homes, home_lines, staff, served, home_volunteers = [], [], [], [], []
    for hid in range(1, size["homes"] + 1):
        system = "LEAGUE" if rng.random() < 0.75 else "WOMENS_FEDERATION"
        org_id, path, division, name = townships[system][rng.randrange(len(townships[system]))]
        opened = day(rng.randrange(-700, 300))
        corners = [{"kind": k, "name": n, "computers": 4 if k == "ONLINE" else 0}
                   for k, n in rng.sample(HOME_CORNERS, rng.randrange(2, 6))]
        home_lines.append(line(hid, org_id, path, f"{name.removesuffix('团委').removesuffix('妇联')}快乐家园{hid}",
                               division + "201", f"{division}中心小学旁", opened, rng.randrange(60, 300),
                               json.dumps(corners, ensure_ascii=False), rng.random() < 0.9, rng.random() < 0.7,
                               rng.random() < 0.6, "放学后16:30-18:30", rng.randrange(300, 3000), "家长代表、教师代表",
                               at(opened)))
        homes.append((hid, org_id, path, division[:6]))
        for role, share in (("DIRECTOR", 0.8), ("SOCIAL_WORKER", 0.7), ("HELPER", 0.5)):
            if rng.random() < share:
                staff.append(line(len(staff) + 1, hid, role, person_name(rng)))
        pool = by_township.get(path[:16], ())
        for child in rng.sample(pool, min(len(pool), rng.randrange(15, 45))):
            served.append(line(len(served) + 1, hid, child, opened))
        for vid in volunteers_of(division[:6], rng.randrange(3, 15)):
            home_volunteers.append(line(len(home_volunteers) + 1, hid, vid))
    copy("programs_happyhome", ("id", "organization_id", "org_path", "name", "division_code", "address", "opened_on",
                                "area_m2", "corners", "open_after_school", "open_weekends", "open_holidays",
                                "opening_hours", "books_count", "supervision_group", "created_at"), home_lines)
    copy("programs_homestaff", ("id", "home_id", "role", "name"), staff)
    copy("programs_homechild", ("id", "home_id", "child_id", "joined_on"), served)
    copy("programs_happyhome_volunteers", ("id", "happyhome_id", "volunteer_id"), home_volunteers)

    # 七彩假期: every league county, summer and winter of 2024–2026; service points at its townships
    projects, points, point_lines, point_volunteers = [], [], [], []
    county_townships = {}
    for town in townships["LEAGUE"]:
        county_townships.setdefault(town[1][:12], []).append(town)
    points_per_project = max(1, round(2 * size["homes"] / (6 * len(counties["LEAGUE"]))))
    for org_id, path, division, name in counties["LEAGUE"]:
        for year in (2024, 2025, 2026):
            for season, first, last in (("WINTER", date(year, 1, 20), date(year, 2, 28)),
                                        ("SUMMER", date(year, 7, 10), date(year, 8, 31))):
                if first > DATA_END.date():
                    continue
                pid = len(projects) + 1
                projects.append(line(pid, org_id, path, f"{year}年{'暑期' if season == 'SUMMER' else '寒假'}七彩假期",
                                     year, season, first, last, campaigns[year - 2024][0] if season == "SUMMER" else None,
                                     at(first - timedelta(days=20))))
                for _ in range(points_per_project):
                    t_id, t_path, t_division, t_name = rng.choice(county_townships[path])
                    starts = first + timedelta(days=rng.randrange(0, 10))
                    point = len(points) + 1
                    point_lines.append(line(point, t_id, t_path, pid, f"{t_name.removesuffix('团委')}服务点{point}",
                                            rng.choice(("VILLAGE", "SCHOOL")), t_division + "201", starts,
                                            min(last, starts + timedelta(days=rng.randrange(10, 30))),
                                            "大学生三下乡服务队", rng.randrange(20, 80), rng.randrange(0, 50) * 100,
                                            rng.randrange(0, 30) * 100, at(starts)))
                    points.append((point, t_id, t_path, division[:6], starts))
                    for vid in volunteers_of(division[:6], rng.randrange(3, 9)):
                        point_volunteers.append(line(len(point_volunteers) + 1, point, vid))
    copy("programs_holidayproject", ("id", "organization_id", "org_path", "name", "year", "season", "starts_on",
                                     "ends_on", "campaign_id", "created_at"), projects)
    copy("programs_servicepoint", ("id", "organization_id", "org_path", "project_id", "name", "kind", "division_code",
                                   "starts_on", "ends_on", "team", "children_served", "money_raised", "goods_value",
                                   "created_at"), point_lines)
    copy("programs_servicepoint_volunteers", ("id", "servicepoint_id", "volunteer_id"), point_volunteers)

    # service records: 70 % at a site, 30 % at a service point (owned by the place's owner); 90 % confirmed
    records = []
    for rid in range(1, size["service_records"] + 1):
        vid = rng.randrange(1, size["volunteers"] + 1)
        if rng.random() < 0.7 or not points:
            hid, org_id, path, _ = homes[rng.randrange(len(homes))]
            point, served_on = None, day(rng.randrange(PROGRAM_DAYS))
        else:
            point, org_id, path, _, starts = points[rng.randrange(len(points))]
            hid, served_on = None, starts + timedelta(days=rng.randrange(0, 10))
        confirmed = rng.random() < 0.9
        records.append(line(rid, org_id, path, vid, hid, point, served_on, rng.choice(("1.5", "2.0", "2.5", "3.0", "4.0")),
                            "陪伴学习、课业辅导", "bench.generate", "bench.generate" if confirmed else "",
                            at(served_on + timedelta(days=2)) if confirmed else None, at(served_on)))
    copy("programs_servicerecord", ("id", "organization_id", "org_path", "volunteer_id", "happy_home_id",
                                    "service_point_id", "served_on", "hours", "description", "recorded_by",
                                    "confirmed_by", "confirmed_at", "created_at"), records)

    # pairings at the child's organization, with a volunteer of the child's county (or a 手拉手 partner)
    kinds, kind_weights = zip(*PAIRING_KINDS)
    pairings = []
    for pid in range(1, size["pairings"] + 1):
        child = rng.randrange(size["children"])
        org_id, path, region, _ = owners[assignment[child]]
        kind = rng.choices(kinds, kind_weights)[0]
        volunteer = None if kind == "HAND_IN_HAND" else volunteers_of(region, 1)[0]
        started = day(rng.randrange(PROGRAM_DAYS - 30))
        closed = rng.random() < 0.15
        last_contact = started + timedelta(days=rng.randrange(0, (DATA_END.date() - started).days + 1))
        pairings.append(line(pid, org_id, path, kind, "CLOSED" if closed else "ACTIVE", volunteer, child + 1,
                             person_name(rng) if kind == "HAND_IN_HAND" else "", None, "", started,
                             "每月至少联系一次", last_contact, None, last_contact if closed else None,
                             "孩子随父母外出" if closed else "", at(started)))
    copy("programs_pairing", ("id", "organization_id", "org_path", "kind", "state", "volunteer_id", "child_id",
                              "partner_child", "partner_organization_id", "partner_name", "started_on", "commitments",
                              "last_contact_on", "reminded_on", "closed_on", "close_reason", "created_at"), pairings)

    # activities: 70 % at a site (its owner), 30 % at a service point; 20 % under a campaign
    activities = []
    for aid in range(1, size["activities"] + 1):
        kind, title = ACTIVITY_KINDS[rng.randrange(len(ACTIVITY_KINDS))]
        if rng.random() < 0.7 or not points:
            hid, org_id, path, _ = rng.choice(homes)
            point, held = None, day(rng.randrange(PROGRAM_DAYS))
        else:
            point, org_id, path, _, starts = rng.choice(points)
            hid, held = None, starts + timedelta(days=rng.randrange(0, 10))
        campaign = next((c for c, first, last in campaigns if first <= held <= last), None)
        activities.append(line(aid, org_id, path, campaign if rng.random() < 0.5 else None, hid, point, title, kind,
                               held, "快乐家园活动室", "孩子们积极参与，收获很大。", "bench.generate", at(held)))
    copy("programs_activity", ("id", "organization_id", "org_path", "campaign_id", "happy_home_id", "service_point_id",
                               "title", "kind", "held_on", "place", "narrative", "recorded_by", "created_at"), activities)
    return counts


# --- actors -------------------------------------------------------------------------------------------------


def create_actors(trees, units, scale):
    """The sample users and a partner token, through the production services (as an admin would)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from permissions.actor import Actor
    from permissions.catalog import ROLE_PERMISSIONS, Role
    from permissions.services import create_token, grant_role

    league = trees["LEAGUE"]
    province = league[0][0]
    county = league[2][0]
    township = next(t for t in league[3] if t[1].startswith(county[1]))
    at = {"province": province, "county": county, "township": township}
    system = Actor.system("bench.generate")
    User = get_user_model()
    password = make_password(common.PASSWORD)  # hashed once (argon2), shared by the sample users
    User.objects.bulk_create([User(username=name, first_name=name, password=password) for name in common.ACTORS])
    for username, (role, where) in common.ACTORS.items():
        grant_role(system, organization_id=at[where][0], role=role, username=username)
    unit = next(u for u in units if u[1].startswith(county[1]))
    grant_role(system, organization_id=county[0], role=Role.PARTNER, unit_id=unit[0])
    token, secret = create_token(system, organization_id=unit[0], name=common.PARTNER_TOKEN_NAME,
                                 permissions=sorted(ROLE_PERMISSIONS[Role.PARTNER] - {"orgs.view_organization"}))
    path = common.token_file(scale)
    path.write_text(secret)
    path.chmod(0o600)
    return {"province": province, "county": county, "township": township, "unit": unit, "token": token.key_prefix}


# --- main ---------------------------------------------------------------------------------------------------


def generate(scale, seed, processes=2):
    global _OWNERS, _CHILD_OWNER
    size = common.SCALES[scale]
    common.configure_env(scale, seed)
    url = os.environ["DATABASE_URL"]
    timings, started = {}, time.perf_counter()

    def step(name, since):
        timings[name] = time.perf_counter() - since
        log(f"  {name}: {timings[name]:.1f} s")
        return time.perf_counter()

    recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    t = step("migrate", t)
    with raw_connection() as conn:
        trees, units = load_forest(conn, size, seed)
        conn.commit()
        orgs = sum(len(level) for tree in trees.values() for level in tree) + len(units)
        log(f"  {orgs:,} organizations")
        t = step("organizations", t)
        _OWNERS, _CHILD_OWNER = owner_table(trees, size, seed)
        children, guardians = load_children(conn, size, seed, processes)
        conn.commit()
        t = step("children", t)
        states, claims = load_wishes(conn, size, seed, _OWNERS, _CHILD_OWNER, trees, units)
        conn.commit()
        t = step("wishes", t)
        programs = load_programs(conn, size, seed, trees, units, _OWNERS, _CHILD_OWNER)
        conn.commit()
        t = step("programs", t)
        reset_sequences(conn, ("orgs_organization", "children_child", "children_guardian", "wishes_wish",
                               "wishes_claim", *PROGRAM_TABLES))
        conn.commit()
    actors = create_actors(trees, units, scale)
    t = step("actors", t)
    with raw_connection() as conn:
        conn.autocommit = True
        for table in ("orgs_organization", "children_child", "children_guardian", "wishes_wish", "wishes_claim",
                      "permissions_membership", "permissions_organizationuserpermission", *PROGRAM_TABLES):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    t = step("vacuum analyze", t)
    total = time.perf_counter() - started
    summary = {
        "scale": scale, "seed": seed, "seconds": total, "timings": timings, "organizations": orgs,
        "units": len(units), "children": children, "guardians": guardians, "wishes": sum(states.values()),
        "wish_states": states, "claims": claims, "programs": programs,
        "actors": {k: v[1] if isinstance(v, tuple) else v for k, v in actors.items()},
        "load": common.load(), "finished": datetime.now().astimezone().isoformat(timespec="minutes"),
    }
    with raw_connection() as conn:  # kept in the database: bench.run reports how its data was made
        conn.execute("CREATE TABLE IF NOT EXISTS bench_generation (id serial PRIMARY KEY, summary jsonb)")
        conn.execute("INSERT INTO bench_generation (summary) VALUES (%s)", [json.dumps(summary)])
    path = common.ROOT / "var" / "bench" / f"generation-{scale}.json"  # for the report's generation table
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    log(f"{scale}: {orgs:,} organizations, {children:,} children, {guardians:,} guardians, "
        f"{summary['wishes']:,} wishes, {claims:,} claims, programs {programs} in {total:.0f} s "
        f"(load {summary['load']})")
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=tuple(common.SCALES), default="province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2, help="encrypting processes (default 2)")
    args = parser.parse_args(argv)
    summary = generate(args.scale, args.seed, args.processes)
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
