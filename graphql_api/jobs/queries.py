from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from graphql_api.connection import Connection
from graphql_api.declare import authenticated
from graphql_api.jobs.types import JobType
from graphql_api.lookups import visible_by_id


@strawberry.type
class Query:
    my_jobs: Connection[JobType] = strawberry_django.connection(
        extensions=authenticated(), description="我发起的后台任务，最新在前 / Your background jobs, newest first")

    @strawberry_django.field(extensions=authenticated(), description="按 ID 取我的任务 / One of your jobs")
    def job(self, info: Info, id: relay.GlobalID) -> Optional[JobType]:
        return visible_by_id(JobType, info, id, "Job")
