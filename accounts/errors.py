from core.errors import ErrorCode


class AccountErrorCode(ErrorCode):
    USERNAME_INVALID = ("用户名须为 3–30 位字母、数字或 . _ - @ +。",
                        "A username is 3–30 letters, digits or . _ - @ +.")
    USERNAME_TAKEN = ("用户名“{username}”已被使用。", "The username “{username}” is taken.")
    DISPLAY_NAME_REQUIRED = ("请填写姓名（不超过 {limit} 个字）。", "Give the person's name (at most {limit} characters).")
    PHONE_INVALID = ("手机号须为 11 位数字，以 1 开头。", "A mobile number has 11 digits and starts with 1.")
    EMAIL_INVALID = ("邮箱地址格式不正确。", "The e-mail address is malformed.")
    SELF_ACCOUNT = ("不能对自己的账号执行此操作（修改自己的密码请用“修改密码”）。",
                    "You cannot do this to your own account (change your own password with “change password”).")
    MANAGED_ELSEWHERE = ("该用户在您管辖范围以外还有角色或所属组织，请联系上级管理员处理。",
                         "This person also holds a role or belongs somewhere outside your organizations; "
                         "ask an administrator above you.")
    ALREADY_INACTIVE = ("该账号已停用。", "This account is already deactivated.")
    ALREADY_ACTIVE = ("该账号已在使用中。", "This account is already active.")
    WRONG_PASSWORD = ("原密码不正确。", "The current password is wrong.")
    PASSWORD_INVALID = ("新密码不符合要求：{detail}", "The new password is not acceptable: {detail}")
    PASSWORD_UNCHANGED = ("新密码不能与原密码相同。", "The new password must differ from the current one.")
    NOT_A_PERSON = ("只有登录的用户才能执行此操作。", "Only a signed-in person can do this.")
    EMAIL_REQUIRED = ("开启邮件通知需先填写邮箱。", "Give an e-mail address before switching on e-mail notifications.")
    PHONE_REQUIRED = ("开启短信通知需先填写手机号。", "Give a mobile number before switching on SMS notifications.")
    PASSWORD_CHANGE_REQUIRED = ("首次登录（或密码被重置后）须先修改密码，才能继续使用。",
                                "You must change your password (first sign-in or after a reset) before doing anything else.")
    # the bulk-creation sheet
    MISSING_COLUMN = ("缺少“{column}”列。", "The column “{column}” is missing.")
    TOO_MANY_ROWS = ("一次最多创建 {limit} 个账号，请分批导入。", "At most {limit} accounts at once; split the sheet.")
    ORGANIZATION_UNKNOWN = ("“{name}”不是本次导入的组织或其下级组织。",
                            "“{name}” is not the importing organization or one below it.")
    ORGANIZATION_AMBIGUOUS = ("有多个组织名为“{name}”，请从更下级的组织导入。",
                              "Several organizations are named “{name}”; import from an organization further down.")
    ROLE_UNKNOWN = ("角色“{role}”不存在，可填：{roles}。", "There is no role “{role}”; use one of: {roles}.")
    INVALID_DATE = ("日期“{value}”无法识别，请写成 2026-12-31。", "The date “{value}” is unreadable; write it as 2026-12-31.")
    DUPLICATE_ROW = ("用户名与第 {row} 行重复。", "The username repeats row {row}.")


class AccountText(ErrorCode):
    """Texts of the bulk-creation job, rendered in the job's language like error messages."""

    SHEET = ("账号创建结果", "Accounts created")
    ROW = ("行号", "Row")
    USERNAME = ("用户名", "Username")
    DISPLAY_NAME = ("姓名", "Name")
    ORGANIZATION = ("组织", "Organization")
    ROLE = ("角色", "Role")
    RESULT = ("结果", "Result")
    PASSWORD = ("初始密码", "Initial password")
    NOTE = ("说明", "Note")
    CREATED = ("已创建", "Created")
    REFUSED = ("未创建", "Not created")
    FIRST_SIGN_IN = ("首次登录须修改密码", "Must be changed at the first sign-in")
    DONE = ("创建 {created} 个账号，{refused} 行未创建。初始密码只在结果文件中，文件下载一次后即删除，请妥善转交本人。",
            "{created} accounts created, {refused} rows not created. The initial passwords are only in the result "
            "file, which is deleted once downloaded: hand each to its owner.")
