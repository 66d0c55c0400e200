from datetime import date
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from django.utils import timezone
from strawberry import Info, relay
from strawberry.utils.str_converters import to_camel_case

from cases import services as case_services
from children.models import Category, Child, FollowUp, FollowUpKind, Guardian, GuardianArrangement, Need, Sex, Status
from children.services import PHOTOS, ChildText, index_of, years_before
from graphql_api import rows
from graphql_api.photos import PhotoInfo, photo_infos
from graphql_api.access.types import organization_field
from graphql_api.orgs.types import organization_row
from graphql_api.context import actor_of, today
from graphql_api.enums import choices_enum, stored_member
from graphql_api.lookups import in_subtree
from graphql_api.filters import MAX_AGE, bounded_int, bounded_text
from graphql_api.pii import reveal
from children import privacy
from children.privacy import age_on
from permissions.masking import mask_name

SexEnum = choices_enum(Sex, "Sex", "性别 / Sex")
CategoryEnum = choices_enum(Category, "ChildCategory", "儿童类别 / Category of child")
ArrangementEnum = choices_enum(GuardianArrangement, "GuardianArrangement", "监护方式 / Who the child lives with")
NeedEnum = choices_enum(Need, "ChildNeed", "需求 / Need")
StatusEnum = choices_enum(Status, "ChildStatus", "档案状态 / Record status")


@strawberry.type(name="ChildGuardian", description="监护人 / A guardian")
class GuardianInfo:
    name: str
    relation: str
    phone: str


def guardian_infos(guardians, clear: bool) -> list[GuardianInfo]:
    """A child's guardians, each (name, relation, phone), as the reader may see them (children/privacy.py): as
    stored when ``clear``, else the name and phone masked, with no call per value (a page of 50 children has some
    70 guardians)."""
    if clear:
        return [GuardianInfo(name=name, relation=relation, phone=phone) for name, relation, phone in guardians]
    name_mask, phone_mask = privacy.MASKS["guardian_name"], privacy.MASKS["guardian_phone"]
    return [GuardianInfo(name=name and name_mask(name), relation=relation, phone=phone and phone_mask(phone))
            for name, relation, phone in guardians]


sex_of = stored_member(Sex, SexEnum)
status_of = stored_member(Status, StatusEnum)


arrangement_of = stored_member(GuardianArrangement, ArrangementEnum)
_category, _need = stored_member(Category, CategoryEnum), stored_member(Need, NeedEnum)


def categories_of(stored) -> list[CategoryEnum]:
    return list(map(_category, stored))


def needs_of(stored) -> list[NeedEnum]:
    return list(map(_need, stored))


@strawberry_django.filter_type(Child, lookups=False)
class ChildFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field
    def category(self, value: CategoryEnum, prefix: str) -> Q:
        # The JSON text holds each category quoted; this works on SQLite and PostgreSQL alike.
        return Q(**{f"{prefix}categories__icontains": f'"{value.value}"'})

    @strawberry_django.filter_field
    def guardian_arrangement(self, value: ArrangementEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}guardian_arrangement": value.value})

    @strawberry_django.filter_field
    def status(self, value: StatusEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}status": value.value})

    @strawberry_django.filter_field(description="学校（仅在可见明文的档案中查找） / School, among records whose personal data you may see")
    def school(self, value: str, prefix: str, info: Info) -> Q:
        return Q(**{f"{prefix}school": bounded_text("school", value, 100)}) & privacy.pii_only(actor_of(info).scope, prefix)

    @strawberry_django.filter_field(description="年龄不小于 / Aged at least")
    def age_min(self, value: int, prefix: str) -> Q:
        return Q(**{f"{prefix}birth_date__lte": years_before(timezone.localdate(), bounded_int("ageMin", value, 0, MAX_AGE))})

    @strawberry_django.filter_field(description="年龄不大于 / Aged at most")
    def age_max(self, value: int, prefix: str) -> Q:
        return Q(**{f"{prefix}birth_date__gt": years_before(timezone.localdate(), bounded_int("ageMax", value, 0, MAX_AGE) + 1)})

    @strawberry_django.filter_field(description="保护个案复评已逾期 / The case's reassessment is overdue")
    def overdue_reassessment(self, value: bool, prefix: str) -> Q:
        q = case_services.overdue_q(timezone.localdate(), f"{prefix}case__")
        return q if value else ~q

    @strawberry_django.filter_field(description="该日期以来有过走访 / Followed up on or after this date")
    def has_follow_up_since(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}pk__in": FollowUp.objects.filter(visited_on__gte=value).values("child_id")})

    @strawberry_django.filter_field(description="按身份证号精确查找（仅在可见明文的档案中） / Exact ID number, among records "
                                                 "whose personal data you may see")
    def id_number(self, value: str, prefix: str, info: Info) -> Q:
        number = bounded_text("idNumber", value, 30)
        return Q(**{f"{prefix}id_index": index_of(number)}) & privacy.pii_only(actor_of(info).scope, prefix)

    @strawberry_django.filter_field(description="姓名开头（仅在可见明文的档案中） / Name starts with, among records whose "
                                                 "personal data you may see")
    def name_prefix(self, value: str, prefix: str, info: Info) -> Q:
        start = bounded_text("namePrefix", value, 50)
        return Q(**{f"{prefix}name__startswith": start}) & privacy.pii_only(actor_of(info).scope, prefix)


FollowUpKindEnum = choices_enum(FollowUpKind, "FollowUpKind", "走访方式 / How the follow-up was made")


@strawberry.type(name="FollowUp", description="走访记录 / A follow-up visit")
class FollowUpInfo:
    visited_on: date
    kind: FollowUpKindEnum
    note: str
    author: str


@strawberry.type(name="GrowthEntry", description="成长记录 / A growth-record entry")
class GrowthInfo:
    recorded_on: date
    title: str
    text: str
    author: str


@strawberry.type(name="Consent", description="监护人同意 / A guardian's consent")
class ConsentInfo:
    given_by: str
    relation: str
    given_on: date
    registry: bool
    photos: bool
    partner_sharing: bool


def follow_up_infos(rows, clear: bool) -> list[FollowUpInfo]:
    return [FollowUpInfo(visited_on=f.visited_on, kind=FollowUpKindEnum[f.kind], note=f.note if clear else ChildText.HIDDEN.render(),
                         author=f.author_label) for f in rows]


def growth_infos(rows, clear: bool) -> list[GrowthInfo]:
    return [GrowthInfo(recorded_on=g.recorded_on, title=g.title, text=g.text if clear else ChildText.HIDDEN.render(), author=g.author_label)
            for g in rows]


def current_consent(rows) -> Optional[ConsentInfo]:
    live = [c for c in rows if c.withdrawn_at is None]
    if not live:
        return None
    c = live[0]
    return ConsentInfo(given_by=mask_name(c.given_by), relation=c.relation, given_on=c.given_on, registry=c.registry,
                       photos=c.photos, partner_sharing=c.partner_sharing)


PII_ONLY = ["organization_id", "org_path"]


def _shown(field: str):
    """A string field of the record as the reader may see it (children/privacy.py); a clear read is audited."""
    @strawberry_django.field(only=[field, *PII_ONLY])
    def resolver(self, info: Info) -> str:
        value = getattr(self, field)
        return privacy.shown(field, value, bool(value) and reveal(info, self))

    return resolver


@strawberry_django.type(Child, name="Child", description="儿童档案 / A child's record (personal data masked without view_child_pii)")
class ChildType(relay.Node):
    grade: str
    created_at: strawberry.auto
    organization = organization_field("建档组织 / The organization that keeps the record")
    name = _shown("name")
    id_number = _shown("id_number")
    address = _shown("address")
    school = _shown("school")
    parents_work_place = _shown("parents_work_place")
    closed_reason = _shown("closed_reason")
    home_division_code = _shown("home_division_code")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, "children.view_child")

    @strawberry_django.field(only=PII_ONLY, description="当前用户是否可见明文 / Whether you see personal data unmasked")
    def pii_visible(self, info: Info) -> bool:
        return actor_of(info).scope.allows_row(privacy.PII, self)

    @strawberry_django.field(only=["birth_date", *PII_ONLY],
                             description="出生日期；无个人信息权限时为 null（只见年龄） / Birth date; null without the "
                                         "personal-data permission (the age is shown)")
    def birth_date(self, info: Info) -> Optional[date]:
        return privacy.shown("birth_date", self.birth_date, reveal(info, self))

    @strawberry_django.field(only=["birth_date"])
    def age(self, info: Info) -> int:
        return age_on(self.birth_date, today(info))

    @strawberry_django.field(only=["sex"])
    def sex(self) -> SexEnum:
        return sex_of(self.sex)

    @strawberry_django.field(only=["status"])
    def status(self) -> StatusEnum:
        return status_of(self.status)

    @strawberry_django.field(only=["guardian_arrangement"])
    def guardian_arrangement(self) -> ArrangementEnum:
        return arrangement_of(self.guardian_arrangement)

    @strawberry_django.field(only=["categories"])
    def categories(self) -> list[CategoryEnum]:
        return categories_of(self.categories)

    @strawberry_django.field(only=["needs"])
    def needs(self) -> list[NeedEnum]:
        return needs_of(self.needs)

    @strawberry_django.field(only=["anonymized_at"])
    def anonymized(self) -> bool:
        return self.anonymized_at is not None

    @strawberry_django.field(prefetch_related=["follow_ups"], only=PII_ONLY, description="走访记录 / Follow-up visits")
    def follow_ups(self, info: Info) -> list[FollowUpInfo]:
        rows = list(self.follow_ups.all())
        return follow_up_infos(rows, bool(rows) and reveal(info, self))

    @strawberry_django.field(prefetch_related=["growth_entries"], only=PII_ONLY, description="成长记录 / Growth record")
    def growth_entries(self, info: Info) -> list[GrowthInfo]:
        rows = list(self.growth_entries.all())
        return growth_infos(rows, bool(rows) and reveal(info, self))

    @strawberry_django.field(prefetch_related=["photos"], only=PII_ONLY,
                             description="照片，仅个人信息权限可见，链接 15 分钟有效 / Photos: PII permission only, links valid 15 minutes")
    def photos(self, info: Info) -> list[PhotoInfo]:
        rows = list(self.photos.all())
        if not rows or not reveal(info, self):
            return []
        return photo_infos(PHOTOS, rows, actor_of(info))

    @strawberry_django.field(prefetch_related=["consents"], description="当前有效的监护人同意 / The consent in force")
    def consent(self) -> Optional[ConsentInfo]:
        return current_consent(self.consents.all())

    @strawberry_django.field(prefetch_related=["guardians"], only=PII_ONLY)
    def guardians(self, info: Info) -> list[GuardianInfo]:
        clear = bool(self.guardians.all()) and reveal(info, self)
        return guardian_infos(((g.name, g.relation, g.phone) for g in self.guardians.all()), clear)


ROW_PII = ("organization_id", "org_path")  # with the key: what Page.reveal decides and notes by


_REVEAL, _REVEALED = rows.revealed(privacy.PII, Child._meta.label)  # Page.reveal of the row (its key and ROW_PII)


def _shown_row(field: str, clear: str | None = None) -> rows.Field:
    """``_shown`` for a page of rows, ``privacy.shown`` written in line: as stored where ``clear`` holds (by default:
    the field has a value, and only then is the reveal asked and noted; an empty value is its own mask), else
    masked."""
    value = f"c[{field!r}]"
    clear = f"({clear}) or {value} is None" if clear else f"not {value} or {_REVEAL}"
    return _pii_row((field, *ROW_PII), f"{value} if {clear} else MASK({value})", MASK=privacy.MASKS[field],
                    **_REVEALED)


def _pii_row(columns: tuple[str, ...], source: str, **uses) -> rows.Field:
    return rows.expression(columns, source, PII=privacy.PII, LABEL=Child._meta.label, **uses)


def _guardian_rows(c: dict, found: list[dict], page: rows.Page) -> list[GuardianInfo]:
    clear = bool(found) and page.reveal(privacy.PII, CHILD_ROWS.label, c)
    return guardian_infos(((g["name"], g["relation"], g["phone"]) for g in found), clear)


CHILD_ROWS = rows.Spec("Child", Child, {
    **rows.columns("grade", "created_at"),
    **{to_camel_case(f): _shown_row(f) for f in ("name", "id_number", "address", "school", "parents_work_place",
                                                  "closed_reason", "home_division_code")},
    "organization": organization_row(),
    "piiVisible": _pii_row(ROW_PII, "c[REVEALED] if REVEALED in c else page.allows_row(PII, LABEL, c)",
                           **_REVEALED),  # a row's reveal, where a field has asked it, is this very decision
    "birthDate": _shown_row("birth_date", _REVEAL),
    "age": rows.expression(("birth_date",), "age_on(c['birth_date'], page.today)", age_on=age_on),
    "sex": rows.column("sex", sex_of),
    "status": rows.column("status", status_of),
    "guardianArrangement": rows.column("guardian_arrangement", arrangement_of),
    "categories": rows.column("categories", categories_of),
    "needs": rows.column("needs", needs_of),
    "anonymized": rows.expression(("anonymized_at",), "c['anonymized_at'] is not None"),
    "guardians": rows.Many(Guardian, "child_id", ("name", "relation", "phone"), ROW_PII, _guardian_rows),
})


def child_row() -> rows.One:
    """A row's child (its ``child_id``) as a plain row, null where the reader's scope does not reach it
    (children.view_child), as the model path's ``child`` fields answer."""
    def visible(c: dict, page: rows.Page) -> bool:
        return c["child_id"] is not None and page.allows_row("children.view_child", CHILD_ROWS.label, {
            "pk": c["child_id"], "org_path": c["child__org_path"], "organization_id": c["child__organization_id"]})

    return rows.One(CHILD_ROWS, "child__", ("child_id", "child__org_path", "child__organization_id"), visible)
