from core.errors import ErrorCode


class WishErrorCode(ErrorCode):
    ILLEGAL_TRANSITION = ("状态为“{state}”的心愿不能执行“{action}”。", "A wish in state “{state}” cannot be “{action}”.")
    TITLE_REQUIRED = ("请填写心愿内容。", "The wish needs a title.")
    CHILD_OR_HOUSEHOLD = ("请选择儿童或填写困难家庭（二选一）。", "Name either a child or a household.")
    INVALID_VALUE = ("估价必须大于 0。", "The estimated value must be above 0.")
    INVALID_AMOUNT = ("认领金额必须大于 0。", "The claimed amount must be above 0.")
    ALREADY_CLAIMED = ("该心愿已被认领。", "This wish has already been claimed.")
    OVER_COVER = ("认领金额超过剩余的 {remaining} 元。", "The amount is more than the remaining {remaining} yuan.")
    NOT_CLAIMABLE = ("该心愿当前不可认领。", "This wish cannot be claimed now.")
    HAS_CLAIMS = ("该心愿已有认领，不能执行此操作。", "This wish has claims; this is not possible now.")
    REASON_REQUIRED = ("请填写原因。", "Please give a reason.")
    TOO_MANY = ("一次最多认领 {limit} 个心愿。", "At most {limit} wishes can be claimed at once.")
    NO_SUPERIOR = ("没有上级组织可以协调。", "There is no superior body to escalate to.")
    DISPATCH_NOT_PENDING = ("该派单已处理。", "This dispatch has already been answered.")
    DISPATCH_EXPIRED = ("该派单已超过回复期限。", "This dispatch is past its deadline.")
    DEADLINE_IN_PAST = ("回复期限必须晚于现在。", "The deadline must be in the future.")
    NOT_A_UNIT_MEMBER = ("您不代表该单位，不能认领为单位。", "You do not act for that unit.")
    NOT_CANCELLABLE = ("心愿状态为“{state}”，不能再取消认领。", "The wish is “{state}”: the claim can no longer be cancelled.")
    VALUE_BELOW_CLAIMED = ("估价不能低于已认领的 {claimed} 元。", "The value cannot be below the {claimed} yuan already claimed.")
