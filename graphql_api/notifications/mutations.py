from typing import Optional

import strawberry
from strawberry import Info, relay

from graphql_api.context import actor_of
from graphql_api.declare import authenticated
from graphql_api.errors import decode_id, error_type, run
from notifications import services
from notifications.errors import NotificationErrorCode

NotificationError = error_type("NotificationError", NotificationErrorCode)


@strawberry.input
class MarkNotificationsReadInput:
    ids: Optional[list[relay.GlobalID]] = strawberry.field(default=None, description="至多 100 条 / At most 100")
    all: bool = strawberry.field(default=False, description="全部标为已读 / Mark every notification read")


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int = 0
    unread_count: int = 0
    errors: list[NotificationError]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=authenticated(), description="标为已读 / Mark notifications read")
    def mark_notifications_read(self, info: Info, input: MarkNotificationsReadInput) -> MarkNotificationsReadPayload:
        actor = actor_of(info)

        def action():
            ids = [decode_id(i, "Notification", "ids") for i in input.ids or ()]
            marked = services.mark_read(actor, ids=ids, everything=input.all)
            return {"marked": marked, "unread_count": services.unread_count(actor)}

        return run(MarkNotificationsReadPayload, NotificationError, action)
