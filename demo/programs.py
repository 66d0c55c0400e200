"""Demo programs, from the glossary: the 石村村 happy home as the sources describe it, a 马良镇 site serving
demo children, 保康's 2026 summer 七彩假期 with a service point, volunteers and confirmed hours, pairings
(one overdue) and the county's 暖冬行动 with an activity. Written through the services; idempotent by name."""

from datetime import date

from children.models import Child
from orgs.models import Organization
from permissions.actor import Actor
from programs import campaigns, holidays, pairings, sites, volunteers
from programs.models import Campaign, HappyHome, HolidayProject, Pairing, Volunteer

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
    return Child.objects.get(name=name)


def _volunteer(name: str) -> Volunteer:
    return Volunteer.objects.get(name=name)


def _homes(actor: Actor) -> None:
    if not HappyHome.objects.filter(name="石村村儿童快乐家园").exists():
        sites.create_home(
            actor, organization_id=_org("石村村妇联").pk, name="石村村儿童快乐家园", division_code="320111104201",
            address="江苏省南京市浦口区石桥镇石村村村委会", opened_on=date(2015, 6, 1), area_m2=200, books_count=1000,
            corners=[{"kind": "READING", "name": "智慧书屋·亲近母语"}, {"kind": "ART", "name": "七彩书法绘画角"},
                     {"kind": "COUNSELLING", "name": "心灵营养驿站"}, {"kind": "ONLINE", "name": "快乐网上行", "computers": 2},
                     {"kind": "PARENT_CHILD", "name": "亲子乐园"}],
            open_after_school=True, open_weekends=True, open_holidays=True, opening_hours="放学后至 18:00，周末及节假日 9:00–17:00",
            supervision_group="村两委、家长代表、学校教师组成的监督小组",
            staff=[("DIRECTOR", "专职主任"), ("SOCIAL_WORKER", "驻点社工"), ("HELPER", "行政辅助")],
            funding=[(2026, "DISTRICT", "30000"), (2026, "TOWN", "20000"), (2026, "FEDERATION", "5000")])
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


def _campaign(actor: Actor) -> None:
    if Campaign.objects.filter(title="2026年暖冬行动").exists():
        return
    campaign = campaigns.announce(
        actor, organization_id=_org("共青团保康县委").pk, title="2026年暖冬行动", notice_title="关于开展2026年“暖冬行动”的通知",
        notice_text="各乡镇团委：为让留守儿童度过温暖的冬天，县团委决定于11月至次年1月开展暖冬行动。请于2月28日前报送活动总结和照片。",
        starts_on=date(2026, 11, 1), ends_on=date(2027, 1, 31), report_deadline=date(2027, 2, 28))
    campaigns.record_activity(
        actor, organization_id=_org("马良镇团委").pk, title="暖冬行动走访慰问", kind="VISIT", held_on=date(2026, 11, 20),
        place="马良坪村", narrative="镇团委和爱心妈妈走访留守儿童家庭，送去棉衣和学习用品。", campaign_id=campaign.pk,
        child_ids=[_child("张小明").pk, _child("李芳").pk], volunteer_ids=[_volunteer("王春梅").pk])


def load(actor: Actor) -> None:
    for owner, name, phone, origin, origin_name, team, skills in VOLUNTEERS:
        if not Volunteer.objects.filter(name=name).exists():
            volunteers.create_volunteer(actor, organization_id=_org(owner).pk, name=name, phone=phone, origin=origin,
                                        origin_name=origin_name, team=team, skills=skills)
    _homes(actor)
    _holiday(actor)
    _pairings(actor)
    _campaign(actor)
