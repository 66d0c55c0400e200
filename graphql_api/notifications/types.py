from datetime import datetime
from typing import Optional

import strawberry_django
from django.db.models import Q
from strawberry import Info, relay

from graphql_api.context import actor_of
from graphql_api.enums import choices_enum, stored_member
from notifications import services
from notifications.models import Kind, Notification

NotificationKindEnum = choices_enum(Kind, "NotificationKind", "通知类型 / Kind of notification")
notification_kind = stored_member(Kind, NotificationKindEnum)


@strawberry_django.filter_type(Notification, lookups=False)
class NotificationFilter:
    @strawberry_django.filter_field(description="true：未读；false：已读 / true: unread only; false: read only")
    def unread(self, value: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}read_at__isnull": value})

    @strawberry_django.filter_field
    def kind(self, value: NotificationKindEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": Kind[value.value]})


@strawberry_django.type(Notification, name="Notification", description="通知（仅本人可见） / A notification, seen by its recipient only")
class NotificationType(relay.Node):
    title: str
    body: str
    link: str = strawberry_django.field(description="控制台中打开的页面 / The console page it opens")
    read_at: Optional[datetime]
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.visible_to(actor_of(info), queryset)

    @strawberry_django.field(only=["kind"])
    def kind(self) -> NotificationKindEnum:
        return notification_kind(self.kind)

    @strawberry_django.field(only=["read_at"])
    def read(self) -> bool:
        return self.read_at is not None
