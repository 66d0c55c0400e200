from datetime import datetime
from types import SimpleNamespace
from typing import Optional

import strawberry_django
from strawberry import Info, relay

from graphql_api import rows
from graphql_api.context import actor_of
from graphql_api.enums import choices_enum, stored_member
from jobs import services
from jobs.models import Job, Kind, State

JobKindEnum = choices_enum(Kind, "JobKind", "任务类型 / Kind of job")
JobStateEnum = choices_enum(State, "JobState", "任务状态 / State of a job")
job_kind = stored_member(Kind, JobKindEnum)
job_state = stored_member(State, JobStateEnum)


@strawberry_django.type(Job, name="Job", description="后台任务，仅发起者可见 / A background job, visible to whoever started it")
class JobType(relay.Node):
    progress_done: int
    progress_total: int
    message: str
    error: str
    created_at: datetime
    finished_at: Optional[datetime]

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.visible_to(actor_of(info), queryset)

    @strawberry_django.field(only=["kind"])
    def kind(self) -> JobKindEnum:
        return job_kind(self.kind)

    @strawberry_django.field(only=["state"])
    def state(self) -> JobStateEnum:
        return job_state(self.state)

    @strawberry_django.field(only=["error_code"], description="任务被拒绝时的错误代码（如 TOO_MANY_ROWS），与 error 中的说明对应 / "
                             "The code of the refusal that failed the job (e.g. TOO_MANY_ROWS); error holds its message")
    def error_code(self) -> Optional[str]:
        return self.error_code or None

    @strawberry_django.field(only=["result_file", "finished_at"],
                             description="结果文件的下载链接，任务完成后 1 小时内有效，过期后为 null（文件已删除） / "
                                         "A download link to the result, for an hour after the job finished; null once expired (the file is deleted)")
    def result_url(self) -> Optional[str]:
        return services.result_url(self)


JOB_ROWS = rows.Spec("Job", Job, {
    **rows.columns("progress_done", "progress_total", "message", "error", "created_at", "finished_at"),
    "kind": rows.column("kind", job_kind),
    "state": rows.column("state", job_state),
    "errorCode": rows.column("error_code", lambda stored: stored or None),
    "resultUrl": rows.Field(("result_file", "finished_at"), lambda c, page: services.result_url(
        SimpleNamespace(pk=c["pk"], result_file=c["result_file"], finished_at=c["finished_at"]))),
})
