"""Demo programs, from the sources: the 石村村 happy home as the 石桥镇 report describes it (opened 2024-11,
142 left-behind and migrant children served, 43 volunteers: the 30% rule, the director, social worker and
helper, the corners and interest groups, 5万元 a year), a 马良镇 site serving demo children, 保康's 2026 summer
七彩假期 with a service point, volunteers and confirmed hours, pairings (one overdue), and 河池's 关爱留守儿童暖冬行动
as its notice has it (1月28日 to 2月28日, reports to the city league by 4月10日) with a report request under way.
Written through the services; idempotent by name."""

from datetime import date, timedelta

from django.utils import timezone

from children import services as child_services
from children.models import Child
from demo.data import demo_child, id_number
from orgs.models import Organization
from permissions.actor import Actor
from programs import campaigns, holidays, pairings, sites, volunteers
from programs.models import Activity, Campaign, HappyHome, HolidayProject, Pairing, Volunteer
from rollups import reports
from rollups import services as rollups

VOLUNTEERS = (
    # (registered by, name, phone, origin, origin name, team, skills)
    ("共青团保康县委", "陈思远", "13971234567", "UNIVERSITY", "华中师范大学", "华中师大三下乡实践队", ["书法", "阅读"]),
    ("共青团保康县委", "周雨涵", "13971234568", "UNIVERSITY", "华中师范大学", "华中师大三下乡实践队", ["舞蹈", "英语"]),
    ("马良镇团委", "刘德明", "13797654321", "WULAO", "马良镇中心小学（退休教师）", "马良镇五老志愿队", ["数学", "象棋"]),
    ("马良镇团委", "王春梅", "13607101122", "SURROGATE_MOTHER", "马良镇卫生院", "马良镇爱心妈妈", ["谈心"]),
)


def _org(name: str) -> Organization:
    return Organization.objects.active().get(name=name)


def _child(name: str) -> Child:
    return demo_child(name)


def _volunteer(name: str) -> Volunteer:
    owner = next(v[0] for v in VOLUNTEERS if v[1] == name)
    return Volunteer.objects.get(name=name, organization=_org(owner))


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = ("子涵", "欣怡", "梓轩", "雨桐", "浩然", "思远", "佳怡", "宇航", "诗涵", "俊杰", "若曦", "一诺", "子墨", "可馨",
         "明轩", "雅琪", "天佑", "梦瑶", "嘉豪", "晨曦", "博文", "心怡", "皓轩", "语桐")
SHICUN_CHILDREN = 142   # 留守流动儿童 of the village's 543 children
SHICUN_VOLUNTEERS = 43  # "40 多名志愿者": the least that meets the 30% rule for 142 children
SHICUN_TEAMS = (  # (origin, where from, team, how many)
    ("SURROGATE_MOTHER", "石桥镇机关、村两委", "爱心妈妈俱乐部", 16),
    ("UNIVERSITY", "南京高校志愿者团队", "快乐氧吧志愿队", 12),
    ("WULAO", "石村村退休教师", "五老志愿服务队", 8),
    ("PARENTING_LECTURER", "石桥镇中小学", "家庭教育讲师团", 4),
    ("YOUTH", "大学生村官", "青年志愿者服务队", 3),
)
SHICUN_GROUPS = (("书法", "周六 9:00–10:30"), ("绘画", "周六 10:30–12:00"), ("亲近母语阅读", "周日 9:00"),
                 ("乒乓球", "周三放学后"), ("舞蹈", "周五放学后"), ("音乐", "周日 14:00"), ("跳绳", "每天放学后"))


def _shicun_children(actor: Actor, organization: Organization) -> list[Child]:
    """142 left-behind and migrant children of 石村村 (made up, well-formed ID numbers of 浦口区), about 60% with
    grandparents, 35% with one parent and 5% with relatives, as the sources count them."""
    rows = []
    for i in range(SHICUN_CHILDREN):
        born = date(2011, 3, 1) + timedelta(days=(i * 373) % (11 * 365))
        sequence = 500 + i
        surname = SURNAMES[i % len(SURNAMES)]
        arrangement = "GRANDPARENTS" if i % 20 < 12 else "SINGLE_PARENT" if i % 20 < 19 else "RELATIVES"
        relation = {"GRANDPARENTS": "祖母", "SINGLE_PARENT": "母亲", "RELATIVES": "姑姑"}[arrangement]
        child = Child(name=surname + GIVEN[(i * 7) % len(GIVEN)], id_number=id_number("320111", f"{born:%Y%m%d}", sequence),
                      sex="MALE" if sequence % 2 else "FEMALE", categories=["MIGRANT" if i % 6 == 5 else "LEFT_BEHIND"],
                      guardian_arrangement=arrangement, school="石桥镇中心小学" if born.year <= 2019 else "石村村幼儿园",
                      grade="", parents_work_place=("南京市江宁区", "上海市", "江苏省苏州市", "安徽省合肥市")[i % 4])
        child_services.validate(child)
        rows.append((i, child, [{"name": f"{surname}{'秀英' if relation != '姑姑' else '桂芳'}", "relation": relation,
                                 "phone": f"139{i:08d}"}]))
    child_services.register_many(actor, organization, rows)
    return list(Child.objects.filter(organization=organization).order_by("pk"))


def _shicun(actor: Actor) -> None:
    if HappyHome.objects.filter(name="石村村儿童快乐家园").exists():
        return
    village = _org("石村村妇联")
    children = _shicun_children(actor, village)
    helpers, n = [], 0
    for origin, origin_name, team, count in SHICUN_TEAMS:
        for _ in range(count):
            helpers.append(volunteers.create_volunteer(
                actor, organization_id=village.pk, name=SURNAMES[(n * 5 + 3) % len(SURNAMES)] + GIVEN[(n * 11 + 5) % len(GIVEN)],
                phone=f"137{n:08d}", origin=origin, origin_name=origin_name, team=team))
            n += 1
    home = sites.create_home(
        actor, organization_id=village.pk, name="石村村儿童快乐家园", division_code="320111104201",
        address="江苏省南京市浦口区石桥镇石村村村委会", opened_on=date(2024, 11, 1), area_m2=200, books_count=1000,
        corners=[{"kind": "READING", "name": "智慧书屋·亲近母语"}, {"kind": "ART", "name": "七彩书法绘画角"},
                 {"kind": "COUNSELLING", "name": "阳光驿站"}, {"kind": "ONLINE", "name": "快乐网上行", "computers": 2},
                 {"kind": "PARENT_CHILD", "name": "亲子乐园"}],
        open_after_school=True, open_weekends=True, open_holidays=True, opening_hours="放学后至 18:00，周六周日及寒暑假 9:00–17:00",
        supervision_group="村两委、家长代表、学校教师组成的监督小组",
        staff=[("DIRECTOR", "陈国华（退休干部）"), ("SOCIAL_WORKER", "刘敏（社工）"), ("HELPER", "张丽（行政辅助）")],
        funding=[(2026, "DISTRICT", "30000"), (2026, "TOWN", "20000"), (2026, "FEDERATION", "5000")])
    sites.set_members(actor, home_id=home.pk, add_child_ids=[c.pk for c in children], add_volunteer_ids=[v.pk for v in helpers])
    for index, (name, schedule) in enumerate(SHICUN_GROUPS):
        sites.save_group(actor, home_id=home.pk, name=name, schedule=schedule,
                         member_ids=[c.pk for c in children[index::len(SHICUN_GROUPS)][:18]])


def _homes(actor: Actor) -> None:
    _shicun(actor)
    if not HappyHome.objects.filter(name="马良坪村快乐家园").exists():
        home = sites.create_home(
            actor, organization_id=_org("马良镇团委").pk, name="马良坪村快乐家园", division_code="420626105201",
            address="湖北省襄阳市保康县马良镇马良坪村", opened_on=date(2025, 9, 1), area_m2=80, books_count=600,
            corners=[{"kind": "READING", "name": "智慧书屋"}, {"kind": "ONLINE", "name": "快乐网上行", "computers": 1}],
            open_after_school=True, open_weekends=True, open_holidays=False, opening_hours="放学后、周末",
            staff=[("DIRECTOR", "马良坪村妇联主任")], funding=[(2026, "TOWN", "8000")])
        sites.set_members(actor, home_id=home.pk, add_child_ids=[_child("张小明").pk, _child("赵婷婷").pk],
                          add_volunteer_ids=[_volunteer("刘德明").pk])
        sites.save_group(actor, home_id=home.pk, name="书法", schedule="周六 9:00", member_ids=[_child("张小明").pk])


def _holiday(actor: Actor) -> None:
    if HolidayProject.objects.filter(name="2026年保康县七彩假期").exists():
        return
    project = holidays.create_project(actor, organization_id=_org("共青团保康县委").pk, name="2026年保康县七彩假期",
                                      year=2026, season="SUMMER", starts_on=date(2026, 7, 5), ends_on=date(2026, 8, 25))
    point = holidays.create_point(actor, project_id=project.pk, organization_id=_org("马良镇团委").pk,
                                  name="马良镇中心小学服务点", kind="SCHOOL", starts_on=date(2026, 7, 10),
                                  ends_on=date(2026, 8, 10), team="华中师大三下乡实践队")
    students = [_volunteer("陈思远"), _volunteer("周雨涵")]
    holidays.report_point(actor, point_id=point.pk, children_served=56, money_raised="3000", goods_value="1200",
                          add_volunteer_ids=[v.pk for v in students])
    done = [volunteers.record_hours(actor, volunteer_id=v.pk, service_point_id=point.pk, served_on=date(2026, 7, 12),
                                    hours="6", description="课业辅导、安全教育") for v in students]
    volunteers.confirm_hours(actor, record_ids=[r.pk for r in done])
    volunteers.record_hours(actor, volunteer_id=students[0].pk, service_point_id=point.pk, served_on=date(2026, 7, 13),
                            hours="4", description="书法课（待确认）")


def _pairings(actor: Actor) -> None:
    if Pairing.objects.exists():
        return
    big_hand = pairings.create_pairing(actor, organization_id=_org("马良镇团委").pk, kind="BIG_HAND",
                                       started_on=date(2026, 9, 1), volunteer_id=_volunteer("陈思远").pk,
                                       child_id=_child("张小明").pk, commitments="每月至少通话一次，寒暑假走访")
    pairings.tick(actor, pairing_id=big_hand.pk, item="SCHOOL_RECORD", done_on=date(2026, 9, 20), note="期中成绩已了解")
    pairings.tick(actor, pairing_id=big_hand.pk, item="CALL_OR_LETTER", done_on=date(2026, 10, 15))
    pairings.create_pairing(actor, organization_id=_org("马良镇团委").pk, kind="SURROGATE_MOTHER",
                            started_on=date(2026, 9, 15), volunteer_id=_volunteer("王春梅").pk, child_id=_child("李芳").pk,
                            commitments="每两周谈心一次")
    pairings.create_pairing(actor, organization_id=_org("共青团保康县委").pk, kind="UNIT_COUNTY",
                            started_on=date(2026, 3, 1), partner_name="共青团华中师范大学委员会",
                            commitments="每年暑期派出三下乡实践队，结对帮扶留守儿童")


NOTICE = """各县市区团委，市直各机关企事业单位、大中专院校团委：
为帮助和服务我市留守儿童健康成长，进一步营造关心、重视留守儿童健康成长的浓厚氛围，团市委决定在全市范围内深入开展河池共青团“关爱留守儿童暖冬行动”，具体通知如下：
一、活动主题：河池共青团“关爱留守儿童暖冬行动”。
二、活动时间：{starts:%Y年%-m月%-d日}—{ends:%-m月%-d日}。
三、活动内容：（一）开展“大手拉小手”优秀青年牵手留守少年儿童活动，担任“爱心志愿辅导员”并签订“爱心结对卡”，开展“五个一”活动：了解一次留守儿童在校表现情况；与留守儿童通一次电话或写一封信；陪留守儿童过一个有意义的双休日；资助一批学习生活用品；帮助留守儿童学会一项技能或新本领。（二）开展“少先队与留守儿童手拉手活动”。
四、工作要求：高度重视，精心组织；务求实效，形成机制；挖掘典型，注重宣传；整合资源，形成合力。天峨、东兰、巴马、大化四个库区县要把该项活动与“千名干部进库区解难题”活动结合起来。
各级团组织开展活动情况汇报及活动图片请于{deadline:%-m月%-d日}前报送团市委城乡部。"""


def warm_winter_dates(today: date) -> tuple[date, date, date]:
    """The notice's dates (1月28日 to 2月28日, reports by 4月10日) in the season whose report is still due."""
    year = today.year if today <= date(today.year, 4, 10) else today.year + 1
    return date(year, 1, 28), date(year, 2, 28), date(year, 4, 10)


def _campaign(actor: Actor) -> None:
    if Campaign.objects.filter(title__endswith="关爱留守儿童暖冬行动").exists():
        return
    starts, ends, deadline = warm_winter_dates(timezone.localdate())
    hechi = _org("共青团河池市委")
    campaign = campaigns.announce(
        actor, organization_id=hechi.pk, title=f"{starts.year}年河池共青团关爱留守儿童暖冬行动",
        notice_title="关于开展“关爱留守儿童暖冬行动”的通知",
        notice_text=NOTICE.format(starts=starts, ends=ends, deadline=deadline),
        starts_on=starts, ends_on=ends, report_deadline=deadline)
    request = reports.open_request(actor, organization_id=hechi.pk, title="暖冬行动活动情况汇报", deadline=deadline,
                                   period_=rollups.period("CAMPAIGN", campaign=campaign), campaign_id=campaign.pk,
                                   instructions="请报送活动情况汇报及活动图片，并总结好做法好经验。")
    dahua = reports.save_report(actor, request_id=request.pk, organization_id=_org("共青团大化瑶族自治县委").pk,
                                narrative="在岩滩库区开展“千名干部进库区”暨暖冬行动，签订爱心结对卡，开展“五个一”活动。")
    reports.transition(actor, report_id=dahua.pk, action="submit")
    reports.save_report(actor, request_id=request.pk, organization_id=_org("共青团东兰县委").pk,
                        narrative="正在汇总各乡镇结对情况。")
    if not Activity.objects.filter(title="冬季走访慰问").exists():
        campaigns.record_activity(
            actor, organization_id=_org("马良镇团委").pk, title="冬季走访慰问", kind="VISIT", held_on=date(2026, 11, 20),
            place="马良坪村", narrative="镇团委和爱心妈妈走访留守儿童家庭，送去棉衣和学习用品。",
            child_ids=[_child("张小明").pk, _child("李芳").pk], volunteer_ids=[_volunteer("王春梅").pk])


def load(actor: Actor) -> None:
    for owner, name, phone, origin, origin_name, team, skills in VOLUNTEERS:
        if not Volunteer.objects.filter(name=name, organization=_org(owner)).exists():
            volunteers.create_volunteer(actor, organization_id=_org(owner).pk, name=name, phone=phone, origin=origin,
                                        origin_name=origin_name, team=team, skills=skills)
    _homes(actor)
    _holiday(actor)
    _pairings(actor)
    _campaign(actor)
