import enum
from typing import Optional

import strawberry
from strawberry import Info

from graphql_api.context import actor_of
from graphql_api.declare import authenticated
from workbench import todos

TodoKindEnum = strawberry.enum(
    enum.Enum("TodoKind", {k.code: strawberry.enum_value(k.code, description=todos.TodoText[k.code].zh) for k in todos.KINDS}),
    name="TodoKind", description="待办类型 / Kind of to-do")


@strawberry.type(name="Todo", description="一类待办及其数量 / One kind of to-do and how many")
class TodoType:
    kind: TodoKindEnum
    label: str = strawberry.field(description="菜单与工作台显示的名称 / The label shown")
    count: int
    link: str = strawberry.field(description="打开已筛选的页面 / The filtered console page it opens")
    due_in_days: Optional[int] = strawberry.field(description="最近的截止日期还剩几天（负数为已逾期） / "
                                                              "Days to the nearest deadline (negative: overdue)")


@strawberry.type(name="Todos", description="工作台：当前用户的待办 / The signed-in actor's to-dos")
class TodosType:
    total: int
    unread_notifications: int
    items: list[TodoType] = strawberry.field(description="按角色可见的各类待办 / Each kind the actor's roles allow")


@strawberry.type
class Query:
    @strawberry.field(extensions=authenticated(), description=(
        "工作台待办计数（一条 SQL，与管辖范围大小无关） / To-do counts by kind, one SQL statement whatever the scope"))
    def todos(self, info: Info) -> TodosType:
        found = todos.todos(actor_of(info))
        return TodosType(total=found.total, unread_notifications=found.unread_notifications, items=[
            TodoType(kind=TodoKindEnum[item.kind.code], label=item.kind.label, count=item.count, link=item.kind.link,
                     due_in_days=item.due_in_days) for item in found.items])
