from core.errors import ErrorCode


class PermissionsErrorCode(ErrorCode):
    INVALID_CREDENTIALS = ("用户名或密码错误。", "Wrong username or password.")
    LOCKED_OUT = (
        "登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试或联系管理员。",
        "Too many failed logins: the account is locked for {minutes} minutes; try later or ask an administrator.",
    )
    USER_NOT_FOUND = ("用户“{username}”不存在。", "There is no user named “{username}”.")
    ALREADY_MEMBER = ("该成员在此组织已有角色，请修改原角色。", "This member already has a role here; change that role instead.")
    ROLE_NOT_GRANTABLE = ("不能授予超出您自己权限的角色。", "You cannot grant a role with permissions you do not hold there.")
    SELF_MEMBERSHIP = ("不能修改自己的角色。", "You cannot change your own role.")
    UNKNOWN_PERMISSION = ("未知权限：{names}", "Unknown permissions: {names}")
    PERMISSION_NOT_HELD = (
        "该单位未被授予这些权限：{names}",
        "The unit has not been granted these permissions: {names}",
    )
    EXPIRY_IN_PAST = ("到期时间必须晚于现在。", "The expiry must be in the future.")
    ONE_GRANTEE = ("请指定一个用户或一个单位。", "Name exactly one user or one unit.")
    TOKEN_REVOKED = ("该令牌已吊销。", "This token is already revoked.")
    UNIT_BEYOND_YOU = (
        "该单位在“{organization}”持有角色，超出您的管理范围，不能由您管理其成员或令牌。",
        "The unit holds a role at “{organization}”, beyond what you manage: you cannot manage its members or tokens.",
    )
