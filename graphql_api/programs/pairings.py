from datetime import date, datetime
from types import SimpleNamespace
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay

from graphql_api import rows
from graphql_api.access.types import organization_field
from graphql_api.children.types import ChildType, child_row
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from graphql_api.lookups import in_subtree, visible_by_id
from graphql_api.orgs.types import organization_row
from graphql_api.programs.common import CHANGE, VIEW, ProgramError, can_at, visible_child
from graphql_api.programs.volunteers import VolunteerType
from programs import pairings as services
from programs.models import ChecklistItem, ContactKind, Pairing, PairingKind, PairingState

PairingKindEnum = choices_enum(PairingKind, "PairingKind", "结对类型 / Kind of pairing")
PairingStateEnum = choices_enum(PairingState, "PairingState", "结对状态 / Pairing state")
ChecklistItemEnum = choices_enum(ChecklistItem, "ChecklistItem", "五个一 / One of the five")
ContactKindEnum = choices_enum(ContactKind, "ContactKind", "联系方式 / How contact was made")


@strawberry.type(name="ChecklistEntry", description="五个一中的一项 / One item of the 五个一")
class ChecklistEntry:
    item: ChecklistItemEnum
    label: str
    done: bool
    done_on: Optional[date]
    note: str


@strawberry.type(name="PairingContact", description="联系记录 / A contact")
class ContactInfo:
    contacted_on: date
    kind: ContactKindEnum
    note: str
    author: str


@strawberry_django.filter_type(Pairing, lookups=False)
class PairingFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field
    def kind(self, value: PairingKindEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": value.value})

    @strawberry_django.filter_field
    def state(self, value: PairingStateEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}state": value.value})

    @strawberry_django.filter_field(description="超期未联系 / No contact within the weeks set for its kind")
    def overdue(self, value: bool, prefix: str) -> Q:
        late = services.overdue_q(prefix=prefix)
        return late if value else ~late


@strawberry_django.type(Pairing, name="Pairing", description="结对帮扶 / A pairing")
class PairingType(relay.Node):
    started_on: date
    commitments: str
    last_contact_on: date
    reminded_on: Optional[date] = strawberry_django.field(description="最近一次超期提醒 / When staff were last reminded it is overdue")
    closed_on: Optional[date]
    close_reason: str
    partner_child: str = strawberry_django.field(description="手拉手的少先队员 / The pioneer child of 手拉手")
    partner_name: str = strawberry_django.field(description="结对单位 / The partner body")
    created_at: datetime
    organization = organization_field("负责组织 / The body running the pairing")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, VIEW)

    @strawberry_django.field(only=["kind"])
    def kind(self) -> PairingKindEnum:
        return PairingKindEnum[self.kind]

    @strawberry_django.field(only=["state"])
    def state(self) -> PairingStateEnum:
        return PairingStateEnum[self.state]

    @strawberry_django.field(only=["started_on"], description="爱心结对卡编号 / The pairing card's number")
    def card_number(self) -> str:
        return self.card_number

    @strawberry_django.field(only=["kind", "last_contact_on"], description="最迟下次联系日期 / Next contact due by")
    def due_by(self) -> date:
        return services.due_by(self)

    @strawberry_django.field(only=["kind", "state", "last_contact_on"], description="超期未联系 / Overdue")
    def overdue(self) -> bool:
        return services.is_overdue(self)

    @strawberry_django.field(select_related=["volunteer"])
    def volunteer_name(self) -> Optional[str]:
        return self.volunteer.name if self.volunteer_id else None

    @strawberry_django.field(select_related=["volunteer"], description="志愿者；不可见时为 null / Null outside your scope")
    def volunteer(self, info: Info) -> Optional[VolunteerType]:
        return self.volunteer if self.volunteer_id and can_at(info, VIEW, self.volunteer) else None

    @strawberry_django.field(select_related=["child"], description="儿童；不可见时为 null / Null outside your scope")
    def child(self, info: Info) -> Optional[ChildType]:
        return visible_child(info, self.child)

    @strawberry_django.field(prefetch_related=["ticks"], only=["kind"],
                             description="五个一清单（仅大手拉小手） / The 五个一, 大手拉小手 only")
    def checklist(self) -> list[ChecklistEntry]:
        if self.kind != PairingKind.BIG_HAND:
            return []
        done = {t.item: t for t in self.ticks.all()}
        return [ChecklistEntry(item=ChecklistItemEnum[i.value], label=str(i.label), done=i.value in done,
                               done_on=getattr(done.get(i.value), "done_on", None), note=getattr(done.get(i.value), "note", ""))
                for i in ChecklistItem]

    @strawberry_django.field(prefetch_related=["contacts"])
    def contacts(self) -> list[ContactInfo]:
        return [ContactInfo(contacted_on=c.contacted_on, kind=ContactKindEnum[c.kind], note=c.note, author=c.author)
                for c in self.contacts.all()]


def _pairing(c: dict) -> SimpleNamespace:
    """A pairing read as columns, as programs.pairings and Pairing.card_number read one."""
    return SimpleNamespace(pk=c["pk"], kind=c["kind"], state=c["state"], started_on=c["started_on"],
                           last_contact_on=c["last_contact_on"])


_PAIRING = ("kind", "state", "started_on", "last_contact_on")

PAIRING_ROWS = rows.Spec("Pairing", Pairing, {
    **rows.columns("started_on", "commitments", "last_contact_on", "reminded_on", "closed_on", "close_reason",
                   "partner_child", "partner_name", "created_at"),
    "organization": organization_row(),
    "kind": rows.column("kind", lambda stored: PairingKindEnum[stored]),
    "state": rows.column("state", lambda stored: PairingStateEnum[stored]),
    "cardNumber": rows.Field(_PAIRING, lambda c, page: Pairing.card_number.fget(_pairing(c))),
    "dueBy": rows.Field(_PAIRING, lambda c, page: services.due_by(_pairing(c))),
    "overdue": rows.Field(_PAIRING, lambda c, page: services.is_overdue(_pairing(c), page.today)),
    "volunteerName": rows.Field(("volunteer_id", "volunteer__name"),
                                lambda c, page: c["volunteer__name"] if c["volunteer_id"] else None),
    "child": child_row(),
})


@strawberry.input
class PairingInput:
    organization_id: relay.GlobalID
    kind: PairingKindEnum
    started_on: date
    volunteer_id: Optional[relay.GlobalID] = None
    child_id: Optional[relay.GlobalID] = None
    partner_child: str = ""
    partner_organization_id: Optional[relay.GlobalID] = None
    partner_name: str = ""
    commitments: str = ""


@strawberry.input
class TickPairingItemInput:
    pairing_id: relay.GlobalID
    item: ChecklistItemEnum
    done_on: date
    note: str = ""


@strawberry.input
class PairingContactInput:
    pairing_id: relay.GlobalID
    contacted_on: date
    kind: ContactKindEnum
    note: str = ""


@strawberry.input
class ClosePairingInput:
    pairing_id: relay.GlobalID
    reason: str


@strawberry.type
class PairingPayload:
    pairing: Optional[PairingType] = None
    errors: list[ProgramError]


@strawberry.type
class Query:
    pairings: Connection[PairingType] = strawberry_django.connection(
        filters=PairingFilter, extensions=requires(VIEW), description="结对帮扶 / Pairings in your scope")

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取结对 / One pairing")
    def pairing(self, info: Info, id: relay.GlobalID) -> Optional[PairingType]:
        return visible_by_id(PairingType, info, id, "Pairing")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="建立结对 / Start a pairing")
    def create_pairing(self, info: Info, input: PairingInput) -> PairingPayload:
        actor = actor_of(info)
        return run(PairingPayload, ProgramError, lambda: {"pairing": services.create_pairing(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
            kind=input.kind.value, started_on=input.started_on,
            volunteer_id=decode_id(input.volunteer_id, "Volunteer", "volunteerId"),
            child_id=decode_id(input.child_id, "Child", "childId"), partner_child=input.partner_child,
            partner_organization_id=decode_id(input.partner_organization_id, "Organization", "partnerOrganizationId"),
            partner_name=input.partner_name, commitments=input.commitments)})

    @strawberry.mutation(extensions=requires(CHANGE), description="勾选五个一 / Tick one of the 五个一")
    def tick_pairing_item(self, info: Info, input: TickPairingItemInput) -> PairingPayload:
        actor = actor_of(info)
        return run(PairingPayload, ProgramError, lambda: {"pairing": services.tick(
            actor, pairing_id=decode_id(input.pairing_id, "Pairing", "pairingId"), item=input.item.value,
            done_on=input.done_on, note=input.note).pairing})

    @strawberry.mutation(extensions=requires(CHANGE), description="记录联系 / Record a contact")
    def record_pairing_contact(self, info: Info, input: PairingContactInput) -> PairingPayload:
        actor = actor_of(info)
        return run(PairingPayload, ProgramError, lambda: {"pairing": services.record_contact(
            actor, pairing_id=decode_id(input.pairing_id, "Pairing", "pairingId"), contacted_on=input.contacted_on,
            kind=input.kind.value, note=input.note).pairing})

    @strawberry.mutation(extensions=requires(CHANGE), description="结束结对 / End a pairing")
    def close_pairing(self, info: Info, input: ClosePairingInput) -> PairingPayload:
        actor = actor_of(info)
        return run(PairingPayload, ProgramError, lambda: {"pairing": services.close_pairing(
            actor, pairing_id=decode_id(input.pairing_id, "Pairing", "pairingId"), reason=input.reason)})
