"""Demo data drawn from the places in shared/GLOSSARY.md. Plain data; demo/loader.py writes it.

County and city division codes are the real GB/T 2260 codes. Township (9-digit) and village (12-digit)
codes are made up inside the right county, since the real statistics codes were not at hand.
"""

from dataclasses import dataclass, field

from orgs.models import Kind, Level, System
from permissions.catalog import Role

L, WF, U = System.LEAGUE, System.WOMENS_FEDERATION, System.UNIT


@dataclass(frozen=True)
class Node:
    name: str
    system: str
    kind: str
    level: int
    division_code: str = ""
    children: tuple = field(default_factory=tuple)
    short_name: str = ""


def town(name, code, villages, system=L):
    kind = Kind.LEAGUE_COMMITTEE if system == L else Kind.WOMENS_FEDERATION
    village_kind = Kind.LEAGUE_BRANCH if system == L else Kind.VILLAGE_WOMENS_FEDERATION
    suffix = "团支部" if system == L else "妇联"
    return Node(name, system, kind, Level.TOWNSHIP, code, tuple(
        Node(f"{village}{suffix}", system, village_kind, Level.VILLAGE, f"{code}{i:03d}") for i, village in enumerate(villages, 201)
    ))


def unit(name, kind, code, level=Level.COUNTY):
    return Node(name, U, kind, level, code)


FOREST = (
    Node("共青团襄阳市委", L, Kind.LEAGUE_COMMITTEE, Level.CITY, "420600", short_name="襄阳团市委", children=(
        Node("共青团保康县委", L, Kind.LEAGUE_COMMITTEE, Level.COUNTY, "420626", short_name="保康团县委", children=(
            town("城关镇团委", "420626100", ["东坡社区", "西坡社区"]),
            town("龙坪镇团委", "420626101", ["龙坪村"]),
            town("黄堡镇团委", "420626102", ["黄堡村", "白竹村"]),
            town("歇马镇团委", "420626103", ["歇马村"]),
            town("后坪镇团委", "420626104", ["后坪村"]),
            town("马良镇团委", "420626105", ["马良坪村", "三岔村"]),
            town("过渡湾镇团委", "420626106", ["过渡湾村"]),
            unit("熊译中学", Kind.SCHOOL, "420626"),
            unit("县委宣传部", Kind.GOVERNMENT_DEPARTMENT, "420626"),
            unit("保康县农业局", Kind.GOVERNMENT_DEPARTMENT, "420626"),
            unit("保康县住建局", Kind.GOVERNMENT_DEPARTMENT, "420626"),
            unit("保康县电力公司", Kind.STATE_ENTERPRISE, "420626"),
            unit("保康县工商联", Kind.SOCIAL_ORGANIZATION, "420626"),
            unit("保康县农商行", Kind.STATE_ENTERPRISE, "420626"),
        )),
    )),
    Node("襄阳市妇联", WF, Kind.WOMENS_FEDERATION, Level.CITY, "420600", children=(
        Node("保康县妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "420626", children=(
            town("马良镇妇联", "420626105", ["马良坪村", "三岔村"], system=WF),
            town("黄堡镇妇联", "420626102", ["黄堡村"], system=WF),
        )),
    )),
    Node("怀化市妇联", WF, Kind.WOMENS_FEDERATION, Level.CITY, "431200", children=(
        Node("洪江市妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "431281", children=(
            town("茅渡乡妇联", "431281201", ["颜容村"], system=WF),
        )),
        Node("沅陵县妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "431222", children=(
            town("马底驿乡妇联", "431222203", ["王家村"], system=WF),
        )),
        Node("中方县妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "431221", children=(
            town("新路河镇妇联", "431221104", ["新路河村"], system=WF),
        )),
        Node("芷江侗族自治县妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "431228"),
        Node("溆浦县妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "431224"),
        Node("辰溪县妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "431223"),
    )),
    # 河池 (广西): the city league of the 暖冬行动 notice (河青发〔2010〕2号) and its four reservoir-area counties.
    Node("共青团河池市委", L, Kind.LEAGUE_COMMITTEE, Level.CITY, "451200", short_name="河池团市委", children=(
        Node("共青团大化瑶族自治县委", L, Kind.LEAGUE_COMMITTEE, Level.COUNTY, "451229", short_name="大化团县委", children=(
            town("岩滩镇团委", "451229101", ["岩滩村"]),
        )),
        Node("共青团天峨县委", L, Kind.LEAGUE_COMMITTEE, Level.COUNTY, "451222", short_name="天峨团县委"),
        Node("共青团东兰县委", L, Kind.LEAGUE_COMMITTEE, Level.COUNTY, "451224", short_name="东兰团县委"),
        Node("共青团巴马瑶族自治县委", L, Kind.LEAGUE_COMMITTEE, Level.COUNTY, "451227", short_name="巴马团县委"),
    )),
    Node("南京市妇联", WF, Kind.WOMENS_FEDERATION, Level.CITY, "320100", children=(
        Node("浦口区妇联", WF, Kind.WOMENS_FEDERATION, Level.COUNTY, "320111", children=(
            town("石桥镇妇联", "320111104", ["石村村"], system=WF),
        )),
    )),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    organization: str
    role: str
    note: str


DEMO_ACCOUNTS = (
    DemoAccount("xiangyang_league_viewer", "襄阳团市委统计员", "共青团襄阳市委", Role.ROLLUP_VIEWER, "全市统计，不看明细 / city figures, no rows"),
    DemoAccount("baokang_league_admin", "保康团县委管理员", "共青团保康县委", Role.ORG_ADMIN, "保康县团组织全部，含个人信息 / all of 保康's league tree"),
    DemoAccount("maliang_league_staff", "马良镇团委干部", "马良镇团委", Role.STAFF, "马良镇，含个人信息 / 马良镇 with PII"),
    DemoAccount("huangbao_league_staff", "黄堡镇团委干部", "黄堡镇团委", Role.STAFF, "黄堡镇，含个人信息 / 黄堡镇 with PII"),
    DemoAccount("shiqiao_wf_staff", "石桥镇妇联干部", "石桥镇妇联", Role.STAFF, "石桥镇（石村村快乐家园） / 石桥镇 and the 石村村 happy home"),
    DemoAccount("baokang_wf_staff", "保康县妇联干部", "保康县妇联", Role.STAFF, "保康县妇联系统 / the women's federation tree"),
    DemoAccount("huaihua_wf_admin", "怀化市妇联管理员", "怀化市妇联", Role.ORG_ADMIN, "怀化市妇联全部 / all of 怀化"),
    DemoAccount("auditor_baokang", "保康团县委审计员", "共青团保康县委", Role.AUDITOR, "审计日志 / the audit log"),
    DemoAccount("hechi_league_admin", "河池团市委管理员", "共青团河池市委", Role.ORG_ADMIN, "河池团组织全部（暖冬行动） / 河池's league tree"),
    DemoAccount("dahua_league_staff", "大化团县委干部", "共青团大化瑶族自治县委", Role.STAFF, "大化县（暖冬行动报送） / 大化 county"),
)

SUPERUSER = "platform_admin"
PARTNER_UNIT = "保康县农商行"
PARTNER_GRANTED_AT = "共青团保康县委"
PARTNER_TOKEN_NAME = "保康县农商行微心愿对接"
PARTNER_TOKEN_PERMISSIONS = ("wishes.view_published_wish", "wishes.claim_wish")
DEFAULT_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoDonor:
    """An individual donor (爱心人士) who signs in with the demo password, or by SMS code to ``phone`` (the code is
    logged to the console), and holds a share of a published wish: the donor view is visible on ``make run``."""

    username: str
    display_name: str
    phone: str
    wish_organization: str
    wish_title: str
    share: str


DEMO_DONOR = DemoDonor("baokang_donor", "爱心人士陈女士", "13800138000", "三岔村团支部", "一双运动鞋", "50")


def id_number(region: str, born: str, sequence: int) -> str:
    """A made-up but well-formed ID number (the check character is computed, GB 11643)."""
    from children.idcard import check_char

    first17 = f"{region}{born}{sequence:03d}"
    return first17 + check_char(first17)


@dataclass(frozen=True)
class DemoChild:
    organization: str
    name: str
    sex: str
    id_number: str
    categories: tuple
    arrangement: str
    school: str
    grade: str
    parents_work_place: str
    guardians: tuple  # (name, relation, phone)


DEMO_CHILDREN = (
    DemoChild("马良坪村团支部", "张小明", "MALE", id_number("420626", "20140503", 123), ("LEFT_BEHIND",), "GRANDPARENTS",
              "马良镇中心小学", "五年级", "广东省东莞市", (("张德厚", "祖父", "13912345678"),)),
    DemoChild("三岔村团支部", "李芳", "FEMALE", id_number("420626", "20120918", 246), ("LEFT_BEHIND", "IN_DIFFICULTY"),
              "SINGLE_PARENT", "熊译中学", "初一", "浙江省杭州市", (("王秀英", "母亲", "13687654321"),)),
    DemoChild("马良镇团委", "赵婷婷", "FEMALE", id_number("420626", "20160221", 62), ("LEFT_BEHIND",), "GRANDPARENTS",
              "马良镇中心小学", "三年级", "湖北省武汉市", (("赵大山", "外祖父", "13507101234"),)),
    DemoChild("黄堡村团支部", "王磊", "MALE", id_number("420626", "20130711", 35), ("LEFT_BEHIND",), "RELATIVES",
              "黄堡镇中心学校", "六年级", "上海市", (("王桂兰", "姑姑", "13872109876"),)),
    DemoChild("颜容村妇联", "刘洋", "MALE", id_number("431281", "20150101", 77), ("LEFT_BEHIND", "DISABLED"),
              "ONE_PARENT_HOME", "茅渡乡中心小学", "四年级", "广东省深圳市", (("刘春花", "母亲", "15874561230"),)),
)


def demo_child(name: str):
    """A demo child by name, found by its ID number (names are not unique beside generated data)."""
    from children.models import Child
    from children.services import index_of

    number = next(c.id_number for c in DEMO_CHILDREN if c.name == name)
    return Child.objects.get(id_index=index_of(number))


@dataclass(frozen=True)
class DemoWish:
    organization: str
    child: str  # a DEMO_CHILDREN name, or "" for a household wish
    household: str
    title: str
    text: str
    category: str
    value: str
    actions: tuple  # after collection, in order: a transition's name, (name, reason), "claim" (by the partner
                    # unit) or "deliver"


DEMO_WISHES = (
    DemoWish("马良坪村团支部", "张小明", "", "一套课外读物", "我想要一套《十万个为什么》，看完讲给爷爷听。", "STUDY_SUPPLIES", "120",
             ("review", "publish")),
    DemoWish("三岔村团支部", "李芳", "", "一双运动鞋", "跑步比赛的时候想穿新鞋。", "ITEM", "150", ("review", "publish")),
    DemoWish("马良镇团委", "赵婷婷", "", "学一门乐器", "想学电子琴。", "SKILL", "600", ("review",)),
    DemoWish("马良坪村团支部", "张小明", "", "想爸爸妈妈回家过年", "我想爸爸妈妈回家过年。", "COMPANIONSHIP", "1", ("review",)),
    DemoWish("三岔村团支部", "李芳", "", "想妈妈回来开家长会", "开家长会的时候别人都有妈妈来。", "COMPANIONSHIP", "1",
             ("review", ("close", "母亲在杭州务工，暂不能返乡；已安排爱心妈妈陪同参加家长会，并与母亲视频通话。"))),
    DemoWish("马良坪村团支部", "张小明", "", "一盒水彩笔", "想画一幅我们村的画。", "STUDY_SUPPLIES", "45",
             ("review", "publish", "claim", "prepare", "deliver", "fulfil")),
    DemoWish("三岔村团支部", "李芳", "", "一本新华字典", "查字的时候不用再借同学的。", "STUDY_SUPPLIES", "40",
             ("review", "publish", "claim", "deliver", "fulfil")),
    DemoWish("马良镇团委", "赵婷婷", "", "一件羽绒服", "冬天上学路上很冷。", "ITEM", "200",
             ("review", "publish", "claim", "prepare", "deliver")),
    DemoWish("马良坪村团支部", "张小明", "", "一个足球", "课间想和同学踢球。", "ITEM", "90", ("review", "publish", "claim")),
    DemoWish("黄堡村团支部", "王磊", "", "一盏护眼台灯", "晚上写作业灯太暗。", "ITEM", "70",
             ("review", "publish", "claim", "prepare")),
    DemoWish("黄堡村团支部", "王磊", "", "跟老师学书法", "想把字写好看。", "SKILL", "300", ("review", "escalate")),
    DemoWish("三岔村团支部", "李芳", "", "一部智能手机", "想和妈妈视频。", "ITEM", "1500",
             (("return", "价值超出微心愿标准（一般不超过 500 元），请与孩子商量后调整。"),)),
    DemoWish("黄堡村团支部", "王磊", "", "一个新书包", "我的书包破了。", "STUDY_SUPPLIES", "80", ("review", "publish")),
    DemoWish("颜容村妇联", "", "颜容村困难户李大娘家", "修缮院子", "院子下雨积水，想硬化一下。", "YARD", "3000", ()),
)
