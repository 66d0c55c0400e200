from core.errors import ErrorCode


class DonorErrorCode(ErrorCode):
    PHONE_INVALID = ("请输入 11 位手机号。", "Enter an 11-digit mobile number.")
    CODE_TOO_SOON = ("验证码已发送，请 {seconds} 秒后再获取。", "A code was just sent; ask again in {seconds} seconds.")
    CODE_INVALID = ("验证码不正确。", "The code is wrong.")
    CODE_EXPIRED = ("验证码已失效，请重新获取。", "The code has expired or was used up; ask for a new one.")
    DISPLAY_NAME_REQUIRED = ("首次登记请填写称呼。", "Give the name to show, the first time.")
    NOT_A_DONOR = ("请先用手机号登记为爱心人士。", "Register as a donor with your phone first.")
    TOO_MANY_AT_ONCE = ("个人一次最多认领 {limit} 个心愿。", "A person claims at most {limit} wishes at once.")
    TOO_MANY_OPEN = ("您已有 {limit} 个心愿在认领中，待发放后再认领新的心愿。",
                     "You already hold {limit} wishes not yet delivered; claim more once they are.")
    SHARE_TOO_SMALL = ("每份至少 {minimum} 元，或认领剩余的全部金额。", "A share is at least {minimum} yuan, or all that remains.")
    NOT_A_UNIT_KIND = ("请选择单位类型。", "Choose the kind of unit.")
    APPLICATION_PENDING = ("该单位的申请正在审核中。", "An application for this unit is already waiting.")
    APPLICATION_DECIDED = ("该申请已审核。", "This application has already been decided.")
