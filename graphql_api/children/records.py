"""A child's file beyond the record itself: follow-ups, growth record, consent, transfers, anonymization."""

from datetime import date, datetime
from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay
from strawberry.file_uploads import Upload

from children import services
from children.models import Transfer, TransferState
from graphql_api.children.mutations import ChildError, ChildPayload
from graphql_api.children.types import FollowUpKindEnum, age_on
from graphql_api.connection import Connection
from graphql_api.context import actor_of, today
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from permissions.masking import mask_name

TransferStateEnum = choices_enum(TransferState, "TransferState", "转移状态 / State of a transfer")


@strawberry_django.type(Transfer, name="Transfer", description="档案转移 / A record handed between organizations")
class TransferType(relay.Node):
    reason: str
    requested_by: str
    requested_by_receiver: bool
    decided_by: str
    decided_at: datetime | None
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.filter(services.transfers_q(actor_of(info)))

    @strawberry_django.field(only=["state"])
    def state(self) -> TransferStateEnum:
        return TransferStateEnum[self.state]

    @strawberry_django.field(select_related=["from_organization", "to_organization"],
                             description="转出组织（对方接受前，申请方只见其县级组织） / Sending organization "
                                         "(before the keeper accepts a request, the requester sees its county body)")
    def from_organization_name(self, info: Info) -> str:
        if services.hidden_from_requester(actor_of(info), self):
            return services.disclosed_keepers({0: self.from_organization}, self.to_organization)[0][1]
        return self.from_organization.name

    @strawberry_django.field(select_related=["to_organization"], description="接收组织 / Receiving organization")
    def to_organization_name(self) -> str:
        return self.to_organization.name

    @strawberry_django.field(select_related=["child", "from_organization"],
                             description="儿童（脱敏）；转入申请在对方接受前为 null / The child, masked; null for the "
                                         "requester until the keeper accepts")
    def child_name(self, info: Info) -> Optional[str]:
        return None if services.hidden_from_requester(actor_of(info), self) else mask_name(self.child.name)

    @strawberry_django.field(select_related=["child", "from_organization"])
    def child_age(self, info: Info) -> Optional[int]:
        return None if services.hidden_from_requester(actor_of(info), self) else age_on(self.child.birth_date, today(info))


@strawberry.type
class Query:
    transfers: Connection[TransferType] = strawberry_django.connection(
        extensions=requires("children.transfer_child"),
        description="转入和转出的档案转移 / Transfers in and out of your scope",
    )


@strawberry.input
class RecordFollowUpInput:
    child_id: relay.GlobalID
    visited_on: date
    note: str
    kind: FollowUpKindEnum = FollowUpKindEnum.HOME_VISIT


@strawberry.input
class AddGrowthEntryInput:
    child_id: relay.GlobalID
    recorded_on: date
    title: str
    text: str


@strawberry.input
class RecordConsentInput:
    child_id: relay.GlobalID
    given_by: str
    relation: str
    given_on: date
    registry: bool = True
    photos: bool = False
    partner_sharing: bool = False


@strawberry.input
class RequestTransferInput:
    child_id: relay.GlobalID
    to_organization_id: relay.GlobalID
    reason: str


@strawberry.input
class RequestTransferInInput:
    to_organization_id: relay.GlobalID
    id_number: str = strawberry.field(description="已在他处登记的身份证号 / The ID number registered elsewhere")
    reason: str


@strawberry.input
class DecideTransferInput:
    id: relay.GlobalID


@strawberry.input
class AddChildPhotoInput:
    child_id: relay.GlobalID
    file: Upload
    caption: str = ""


@strawberry.input
class AnonymizeChildInput:
    id: relay.GlobalID
    reason: str = ""


@strawberry.type
class TransferPayload:
    transfer: Optional[TransferType] = None
    errors: list[ChildError]


def _child(data):
    return decode_id(data.child_id, "Child", "childId")


def _with_child(service):
    """Run a service that returns a record hanging off a child; answer with that child."""
    return lambda: {"child": service().child}


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires("children.change_child"), description="记录走访 / Record a follow-up visit")
    def record_follow_up(self, info: Info, input: RecordFollowUpInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, _with_child(lambda: services.record_follow_up(
            actor, child_id=_child(input), visited_on=input.visited_on, note=input.note, kind=input.kind.value)))

    @strawberry.mutation(extensions=requires("children.change_child"), description="添加成长记录 / Add a growth-record entry")
    def add_growth_entry(self, info: Info, input: AddGrowthEntryInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, _with_child(lambda: services.add_growth_entry(
            actor, child_id=_child(input), recorded_on=input.recorded_on, title=input.title, text=input.text)))

    @strawberry.mutation(extensions=requires("children.change_child"), description="登记监护人同意 / Record a guardian's consent")
    def record_consent(self, info: Info, input: RecordConsentInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, _with_child(lambda: services.record_consent(
            actor, child_id=_child(input), given_by=input.given_by, relation=input.relation, given_on=input.given_on,
            registry=input.registry, photos=input.photos, partner_sharing=input.partner_sharing)))

    @strawberry.mutation(extensions=requires("children.transfer_child"), description="申请转出档案 / Offer a record to another organization")
    def request_transfer(self, info: Info, input: RequestTransferInput) -> TransferPayload:
        actor = actor_of(info)
        return run(TransferPayload, ChildError, lambda: {"transfer": services.request_transfer(
            actor, child_id=_child(input), to_organization_id=decode_id(input.to_organization_id, "Organization", "toOrganizationId"),
            reason=input.reason)})

    @strawberry.mutation(extensions=requires("children.transfer_child"),
                         description="申请转入已在他处登记的档案 / Ask for a record registered elsewhere")
    def request_transfer_in(self, info: Info, input: RequestTransferInInput) -> TransferPayload:
        actor = actor_of(info)
        return run(TransferPayload, ChildError, lambda: {"transfer": services.request_transfer_in(
            actor, to_organization_id=decode_id(input.to_organization_id, "Organization", "toOrganizationId"),
            id_number=input.id_number, reason=input.reason)})

    @strawberry.mutation(extensions=requires("children.transfer_child"), description="接收档案转移 / Accept a transfer")
    def accept_transfer(self, info: Info, input: DecideTransferInput) -> TransferPayload:
        actor = actor_of(info)
        return run(TransferPayload, ChildError, lambda: {"transfer": services.decide_transfer(
            actor, transfer_id=decode_id(input.id, "Transfer"), accept=True)})

    @strawberry.mutation(extensions=requires("children.transfer_child"), description="拒绝档案转移 / Decline a transfer")
    def decline_transfer(self, info: Info, input: DecideTransferInput) -> TransferPayload:
        actor = actor_of(info)
        return run(TransferPayload, ChildError, lambda: {"transfer": services.decide_transfer(
            actor, transfer_id=decode_id(input.id, "Transfer"), accept=False)})

    @strawberry.mutation(extensions=requires("children.change_child"),
                         description="上传档案照片（需监护人同意，去除 EXIF/GPS） / Upload a photo: needs photo consent, EXIF/GPS stripped")
    def add_child_photo(self, info: Info, input: AddChildPhotoInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, _with_child(lambda: services.add_photo(
            actor, child_id=_child(input), upload=input.file, caption=input.caption)))

    @strawberry.mutation(extensions=requires("children.change_child"),
                         description="按监护人申请立即匿名化 / Anonymize at once on the guardian's request")
    def anonymize_child(self, info: Info, input: AnonymizeChildInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, lambda: {"child": services.anonymize_on_request(
            actor, child_id=decode_id(input.id, "Child"), reason=input.reason)})
