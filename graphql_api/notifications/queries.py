import strawberry
import strawberry_django
from strawberry import Info

from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import authenticated
from graphql_api.notifications.types import NotificationFilter, NotificationType
from notifications import services


@strawberry.type
class Query:
    notifications: Connection[NotificationType] = strawberry_django.connection(
        filters=NotificationFilter, extensions=authenticated(),
        description="我的通知，最新在前 / Your notifications, newest first")

    @strawberry.field(extensions=authenticated(), description="未读通知数（页头） / Unread notifications, for the header")
    def unread_notification_count(self, info: Info) -> int:
        return services.unread_count(actor_of(info))
