"""Bulk registration for roster imports (COPY on PostgreSQL, bulk_create elsewhere): what is written, the
per-row answers when a number is registered concurrently, whole batches only, updates of records in the
importer's subtree, and the shortcut in core.bulk that skips the fields' call chain for plain values."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.utils import timezone

from children import excel
from children import services
from children.errors import ChildErrorCode
from children.models import Child, Guardian
from core import bulk, crypto
from demo.data import id_number
from jobs import runner
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.conftest import user
from tests.jobs.helpers import import_payload, workbook
from tests.jobs.test_jobs import signed_in
from tests.permissions.helpers import org

pytestmark = pytest.mark.django_db

SUN = id_number("420626", "20150606", 12)      # female
WU = id_number("420626", "20120202", 51)       # male
ZHOU = id_number("420626", "20130303", 44)     # female
QIAN = id_number("420626", "20140101", 31)     # male
ZHANG = id_number("420626", "20140503", 123)   # 张小明, kept by 马良坪村团支部 (demo data), under 马良镇团委


def staff() -> Actor:
    return Actor.for_user(user("maliang_league_staff"))


def validated(name, sex, number, **fields) -> Child:
    child = Child(name=name, sex=sex, id_number=number, guardian_arrangement="OTHER", categories=["LEFT_BEHIND"], **fields)
    services.validate(child)
    return child


def raw_row(table, pk, columns) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def test_register_many_writes_encrypted_children_their_guardians_and_an_audit_entry_each():
    township = org("马良镇团委")
    rows = [(3, validated("孙小红", "FEMALE", SUN, school="马良镇中心小学"), [{"name": "孙大爷", "relation": "祖父", "phone": "13911112222"}]),
            (4, validated("吴小军", "MALE", WU, address="马良镇 3 组"),
             [{"name": "吴妈妈", "relation": "母亲", "phone": "13500001111"}, {"name": "吴奶奶", "relation": "祖母", "phone": ""}])]

    errors = services.register_many(staff(), township, rows)

    assert errors == {}
    sun, wu = (rows[0][1], rows[1][1])
    assert sun.pk and wu.pk and not sun._state.adding
    stored = Child.objects.get(pk=wu.pk)
    assert (stored.name, stored.id_number, stored.address, stored.organization, stored.org_path, stored.birth_date) == \
        ("吴小军", WU, "马良镇 3 组", township, township.path, date(2012, 2, 2))
    assert stored.id_index == services.index_of(WU) and stored.created_at is not None
    id_column, address_column = raw_row("children_child", wu.pk, ["id_number", "address"])
    assert WU not in id_column and crypto.decrypt(id_column) == WU
    assert "马良镇" not in address_column and crypto.decrypt(address_column) == "马良镇 3 组"
    assert raw_row("children_child", sun.pk, ["address"]) == ("",)  # blank stays blank
    guardians = list(Guardian.objects.filter(child=wu).values_list("name", "relation", "phone"))
    assert guardians == [("吴妈妈", "母亲", "13500001111"), ("吴奶奶", "祖母", "")]
    phone = raw_row("children_guardian", Guardian.objects.get(child=wu, name="吴妈妈").pk, ["phone"])[0]
    assert "13500001111" not in phone and crypto.decrypt(phone) == "13500001111"
    entries = AuditEntry.objects.filter(action="child.create", target_id__in=[str(sun.pk), str(wu.pk)]).order_by("id")
    assert [(e.target_type, e.target_id, e.actor_label, e.organization_id, e.org_path) for e in entries] == [
        ("children.Child", str(sun.pk), "马良镇团委干部", township.pk, township.path),
        ("children.Child", str(wu.pk), "马良镇团委干部", township.pk, township.path)]
    assert entries[0].changes["name"] == "孙小红" and entries[0].changes["birth_date"] == "2015-06-06"
    assert "id_number" not in entries[0].changes


def test_a_number_registered_between_the_check_and_the_insert_gets_its_own_answer(monkeypatch):
    township, other = org("马良镇团委"), org("黄堡村团支部")
    Child.objects.create(organization=other, name="周某", sex="FEMALE", birth_date=date(2013, 3, 3), id_number=ZHOU,
                         id_index=services.index_of(ZHOU), guardian_arrangement="OTHER")
    monkeypatch.setattr(services, "_registered", lambda indexes: {})  # the check ran before it was registered
    rows = [(3, validated("孙小红", "FEMALE", SUN), []), (4, validated("周小丽", "FEMALE", ZHOU), []),
            (5, validated("钱小刚", "MALE", QIAN), [{"name": "钱爷爷", "relation": "祖父", "phone": "13900000000"}])]

    errors = services.register_many(staff(), township, rows)

    assert list(errors) == [4]
    assert errors[4].problems == [(ChildErrorCode.ALREADY_REGISTERED, "id_number", {"organization": "黄堡村团支部"})]
    created = Child.objects.filter(organization=township, id_index__in=[services.index_of(n) for n in (SUN, QIAN)])
    assert sorted(created.values_list("name", flat=True)) == ["孙小红", "钱小刚"]
    assert [g.phone for g in Guardian.objects.filter(child__name="钱小刚")] == ["13900000000"]
    assert Child.objects.get(id_index=services.index_of(ZHOU)).organization == other


ROWS = [["姓名", "性别", "身份证号"], ["孙小红", "女", SUN], ["吴小军", "男", WU], ["周小丽", "女", ZHOU], ["钱小刚", "男", QIAN]]


def test_a_crash_in_the_second_batch_keeps_the_first_batch_whole(monkeypatch, settings):
    settings.JOBS_EAGER = True
    monkeypatch.setattr(excel, "BATCH", 2)
    calls, record_many = [], services.audit.record_many

    def crash_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) >= 2:  # every later batch, on every retry of the job
            raise RuntimeError("connection lost")
        return record_many(*args, **kwargs)

    monkeypatch.setattr(services.audit, "record_many", crash_on_second_batch)

    payload = import_payload(signed_in("maliang_league_staff"), org("马良镇团委"), workbook(ROWS))

    assert payload["job"]["state"] == "FAILED" and payload["job"]["error"] == runner.JobText.FAILED.render()
    imported = Child.objects.filter(id_index__in=[services.index_of(n) for n in (SUN, WU, ZHOU, QIAN)])
    assert sorted(imported.values_list("name", flat=True)) == ["吴小军", "孙小红"]
    assert AuditEntry.objects.filter(action="child.create", target_id__in=[str(c.pk) for c in imported]).count() == 2


def test_a_big_import_refreshes_the_statistics_and_still_answers_row_by_row(monkeypatch, settings):
    settings.JOBS_EAGER = True
    monkeypatch.setattr(excel, "ANALYZE_AFTER", 1)
    refreshed = []
    monkeypatch.setattr(excel, "_refresh_statistics", lambda real=excel._refresh_statistics: (refreshed.append(1), real()))

    payload = import_payload(signed_in("maliang_league_staff"), org("马良镇团委"), workbook(ROWS))

    assert payload["job"]["message"].startswith("新增 4 条，更新 0 条，未变 0 条，有误 0 行")
    assert refreshed == [1]


def test_a_record_kept_below_the_importing_organization_is_compared_and_updated_in_place(settings):
    settings.JOBS_EAGER = True
    client, township = signed_in("maliang_league_staff"), org("马良镇团委")
    header = ["姓名", "身份证号", "学校", "监护人", "关系", "联系电话"]
    same = ["张小明", ZHANG, "马良镇中心小学", "张德厚", "祖父", "13912345678"]
    zhang = Child.objects.get(id_index=services.index_of(ZHANG))
    before = (zhang.updated_at, AuditEntry.objects.count())

    unchanged = import_payload(client, township, workbook([header, same]))

    assert unchanged["job"]["message"].startswith("新增 0 条，更新 0 条，未变 1 条，有误 0 行")
    zhang.refresh_from_db()
    assert (zhang.updated_at, AuditEntry.objects.count()) == before

    moved_phone = same[:5] + ["13912340000"]
    updated = import_payload(client, township, workbook([header, moved_phone]))

    assert updated["job"]["message"].startswith("新增 0 条，更新 1 条，未变 0 条，有误 0 行")
    zhang.refresh_from_db()
    assert zhang.organization.name == "马良坪村团支部"
    assert [(g.name, g.relation, g.phone) for g in zhang.guardians.all()] == [("张德厚", "祖父", "13912340000")]


def test_the_plain_value_shortcut_gives_what_the_fields_give():
    if connection.vendor != "postgresql":
        pytest.skip("the shortcut is used on PostgreSQL only (COPY); other databases take bulk_create")
    township = org("马良镇团委")
    child = validated("吴小军", "MALE", WU, address="马良镇 3 组")
    child.pk, child.organization, child.org_path = 10**9, township, township.path
    child.status_changed_at = timezone.now()
    guardian = Guardian(child=child, name="吴妈妈", relation="母亲", phone="13500001111")
    entry = AuditEntry(actor_user=user("maliang_league_staff"), actor_label="x", organization=township,
                       org_path=township.path, action="child.create", target_type="children.Child", target_id="1",
                       changes={"name": "吴小军"}, ip="10.0.0.1")
    for obj in (child, guardian, entry):
        for field in obj._meta.concrete_fields:
            fast = bulk._preparer(field, connection)(obj)
            slow = field.get_db_prep_save(field.pre_save(obj, True), connection)
            if field.name in ("id_number", "address", "phone"):  # encrypted: a fresh token each time
                assert crypto.decrypt(fast) == crypto.decrypt(slow) == getattr(obj, field.attname)
            elif field.name in ("created_at", "updated_at"):  # stamped at each call
                assert type(fast) is type(slow) is datetime and fast.tzinfo is not None
            else:
                assert getattr(fast, "obj", fast) == getattr(slow, "obj", slow), field.name  # Jsonb wraps JSON
    child.status_changed_at = datetime(2026, 1, 1, 8, 0)  # naive: the field's own call warns and makes it aware
    field = Child._meta.get_field("status_changed_at")
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert bulk._preparer(field, connection)(child) == timezone.make_aware(datetime(2026, 1, 1, 8, 0))
