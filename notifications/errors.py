from core.errors import ErrorCode


class NotificationErrorCode(ErrorCode):
    IDS_REQUIRED = ("请指定 1–{limit} 条通知，或选择全部标为已读。", "Name 1–{limit} notifications, or mark all of them read.")
