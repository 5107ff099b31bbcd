"""Routing: realistic complaints against the example zone, plus the precedence rules."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, DepartmentConfig, Settings, load_settings
from bot.core.routing import (
    CategoryRoute,
    RouteDecision,
    RouteReason,
    RoutingRule,
    RoutingTable,
    category_hints_from_settings,
    normalize_for_matching,
    route,
    routing_table_from_settings,
    suggest_category,
)

SETTINGS = load_settings(environ={})
TABLE = routing_table_from_settings(SETTINGS)
HINTS = category_hints_from_settings(SETTINGS)
CATEGORY_CODES = [c.code for c in SETTINGS.categories]
DEPARTMENT_CODES = [d.code for d in SETTINGS.departments]

# (category the enterprise picked, what it wrote, department expected)
CASES: list[tuple[str, str, str | None]] = [
    # 政务服务/审批
    (
        "approval",
        "我们公司去政务服务中心办食品经营许可证，材料交了三次，每次窗口都说缺一样东西，"
        "能不能一次性告知？",
        "approval",
    ),
    (
        "approval",
        "营业执照变更经营范围，网上一网通办提交了一个星期还显示审核中，没人打电话也没人说原因",
        "approval",
    ),
    (
        "approval",
        "办施工许可证卡在图审环节快两个月了，项目等着开工，工人天天在工地上干等",
        "planning",
    ),
    ("approval", "厂房扩建的建设工程规划许可证报上去两个月了，说在等规划条件", "planning"),
    ("approval", "厂房竣工后消防验收一直约不上时间，导致我们领不了不动产权证", "planning"),
    ("approval", "简易注销公告期满了，登记机关还是说我们有未结案件不能注销", "approval"),
    ("approval", "审批拖延了两个多月，窗口反复索要同样的材料", "approval"),
    ("approval", "我们在电子税务局上开不了发票，打12366一直占线", "tax"),
    (
        "approval",
        "行政审批局窗口的工作人员说想快点拿证就去找他指定的中介，一个证收了我们两万",
        "discipline",
    ),
    # 涉企收费
    ("fees", "物业公司转供电，电费每度比国网价格高出0.3元，还要另收线损费", "market"),
    ("fees", "行业协会强制要求入会，每年会费8000元，不交就不给办年审", "market"),
    ("fees", "开发区里的检测站收费标准没有公示，同样的检测比市里贵一倍", "market"),
    ("fees", "市场监管分局的人来检查，说可以帮我们“摆平”，让我们买他推荐的购物卡", "discipline"),
    # 执法检查
    (
        "inspection",
        "消防大队来检查说我们仓库的消防通道堆了货要罚款，我们当天就清理了，还是开了罚单",
        "fire",
    ),
    (
        "inspection",
        "环保突击检查说我们废气排放超标，要求停产整改，但我们有第三方检测报告是达标的",
        "ecology",
    ),
    ("inspection", "市场监管来抽查产品质量，抽走了十几箱样品，检测结果两个月也没出", "market"),
    ("inspection", "一周之内环保、消防、安监轮番上门，重复检查，严重影响正常生产", "market"),
    ("inspection", "应急局的安全检查每个季度都来，每次查的都是一样的东西", "emergency"),
    ("inspection", "城管执法队没收了我们门口的店招，说没审批，但是我们去年就办过了", "urban"),
    ("inspection", "消防大队的检查员故意刁难，同一个问题整改了三遍还说不合格", "discipline"),
    ("inspection", "上个月被罚了2万，处罚决定书上写的条款跟我们的情况对不上", "market"),
    # 政策兑现
    ("policy", "去年申报的高新技术企业认定奖励20万到现在还没发下来，问了说在走流程", "sci_tech"),
    ("policy", "2023年度工业企业技改补贴公示都过去半年了，钱一直没到账", "econ"),
    ("policy", "人才安居补贴申请了三个月没有回音", "hrss"),
    ("policy", "研发费用加计扣除政策我们去年没享受到，想问问今年怎么申报", "tax"),
    ("policy", "这次政策红包什么时候能落实到我们企业？去年说好的稳岗补贴还没发", "hrss"),
    ("policy", "免申即享说了一年了，我们符合条件但是一分钱没收到", "econ"),
    # 要素保障
    (
        "utilities",
        "园区B区我们厂这个月已经停电三次了，每次都没提前通知，生产线上的产品全报废，损失十几万",
        "econ",
    ),
    ("utilities", "转供电的电压不稳，设备经常跳闸", "econ"),
    ("utilities", "想在园区拿一块工业用地扩大生产，不知道土地出让什么时候挂牌", "natres"),
    ("utilities", "厂区天然气管道报装半年了还没通气，燃气公司一直说在排队", "econ"),
    ("utilities", "园区5G信号太差，我们的无人车测试受影响", "econ"),
    ("utilities", "电力增容申请后供电公司说要等变压器，要等半年", "econ"),
    # 市场准入/招投标
    (
        "market_access",
        "园区的政府采购项目要求投标企业必须在本地注册满三年，我们是新落户的企业被排除在外",
        "finance",
    ),
    ("market_access", "某工程招标文件设置的资质条件明显是量身定做的，怀疑有围标", "econ"),
    ("market_access", "我们做医疗器械的，第二类医疗器械经营备案去窗口跑了三趟", "market"),
    ("market_access", "同样的资质，外地企业要额外提供一堆证明，这不是地方保护吗", "market"),
    # 融资
    (
        "financing",
        "想申请科技型中小企业贷款贴息，银行说要管委会出证明，管委会又说不归他们管",
        "sci_tech",
    ),
    ("financing", "企业临时资金周转困难，想了解园区的转贷应急资金怎么申请", "finance"),
    ("financing", "我们准备ipo，想咨询上市奖励政策和上市辅导备案的流程", "finance"),
    # 知识产权
    ("ip", "有人在网上仿冒我们的注册商标卖假货，投诉到平台也没用", "market"),
    ("ip", "我们的发明专利申请资助去年就报了，到现在没有消息", "market"),
    ("ip", "前员工带走了我们的源代码去竞争对手那里", "market"),
    # 拖欠账款/政府失信
    (
        "arrears",
        "我们2022年给区里做的道路绿化工程，工程款还有80多万没结，催了十几次都说没钱",
        "finance",
    ),
    ("arrears", "招商的时候承诺三年房租减免，现在第二年就开始收全额租金了", "econ"),
    ("arrears", "区里某单位采购我们的设备，合同约定验收后30天付款，现在已经拖了半年", "finance"),
    ("arrears", "给管委会食堂送了一年的菜，货款还拖欠着20多万", "finance"),
    # 作风问题
    (
        "conduct",
        "规划建设局某科长在我们项目验收时故意挑毛病，后来他朋友的公司来找我们谈“咨询服务”",
        "discipline",
    ),
    ("conduct", "没有具体事情，就是想反映一下税务局那边的态度问题", "discipline"),
    # 其他
    ("other", "园区门口那条路晚上没有路灯，员工下夜班很不安全", None),
    ("other", "食堂外包商的饭菜越来越差", None),
    ("other", "公司门口被人占道摆摊，货车进出很困难", "urban"),
    ("other", "隔壁工厂晚上噪音很大，而且有很刺鼻的异味", "ecology"),
    ("other", "员工社保转移接续办不下来，说系统有问题", "hrss"),
    ("other", "今年社保缴费基数调整后我们多缴了两个月，怎么退", "tax"),
    ("other", "增值税留抵退税申请提交一个多月了还没到账", "tax"),
    ("other", "我们是危化品仓储企业，安全生产许可证延期材料交了很久没批", "emergency"),
    ("other", "去税务局办事，窗口说系统升级，让我们下周再来，已经第三次了", "tax"),
    ("other", "公司注销的时候税务清算搞了四个月", "tax"),
    ("other", "我们公司想申请孵化器认定，不知道需要什么条件", "sci_tech"),
    ("other", "员工被钢管砸伤，工伤认定一直办不下来", "hrss"),
    ("other", "国庆节前突然断水两天，也没提前发通知", "econ"),
    ("other", "我们员工在园区停车老是被贴条", "urban"),
    ("other", "办事的时候被要求请客吃饭，不请就一直拖着", "discipline"),
    ("other", "政府部门之间互相推诿，我们的问题谁都不管", "discipline"),
    (
        "other",
        "Our Work Permit application for a foreign engineer has been pending for 2 months",
        "sci_tech",
    ),
    ("other", "ＩＰＯ上市辅导备案要找哪个部门", "finance"),
    ("other", "税务局的专管员说我们账有问题，暗示给点好处费就能帮我们摆平", "discipline"),
]


def test_table_is_big_and_covers_every_category() -> None:
    assert len(CASES) >= 45
    assert {category for category, _, _ in CASES} == set(CATEGORY_CODES)
    assert {d for _, _, d in CASES if d is not None} <= set(DEPARTMENT_CODES)


@pytest.mark.parametrize(("category", "text", "expected"), CASES, ids=range(len(CASES)))
def test_realistic_complaints(category: str, text: str, expected: str | None) -> None:
    decision = route(table=TABLE, category=category, text=text)
    assert decision.department == expected, decision


def _table(*rules: RoutingRule, conduct: tuple[str, ...] = ("好处费",)) -> RoutingTable:
    categories = {
        "approval": CategoryRoute("approval", "approval", conduct=False),
        "fees": CategoryRoute("fees", "market", conduct=False),
        "conduct": CategoryRoute("conduct", "discipline", conduct=True),
        "other": CategoryRoute("other", None, conduct=False),
    }
    return RoutingTable(
        categories=MappingProxyType(categories),
        rules=rules,
        conduct_keywords=conduct,
        discipline_department="discipline",
    )


# --- conduct -------------------------------------------------------------------------------


@pytest.mark.parametrize("department", [d for d in SETTINGS.departments if d.role == "department"])
@pytest.mark.parametrize("category", CATEGORY_CODES)
def test_conduct_never_goes_to_the_named_department(
    department: DepartmentConfig, category: str
) -> None:
    text = f"{department.name}的工作人员吃拿卡要，办个事要好处费"
    decision = route(table=TABLE, category=category, text=text)
    assert decision.department == "discipline"
    expected = (
        RouteReason.CONDUCT_CATEGORY if category == "conduct" else RouteReason.CONDUCT_KEYWORD
    )
    assert decision.reason is expected


def test_conduct_category_beats_every_rule() -> None:
    decision = route(table=TABLE, category="conduct", text="消防大队检查消防通道")
    assert decision == RouteDecision("discipline", RouteReason.CONDUCT_CATEGORY)


def test_conduct_keyword_reports_the_longest_configured_keyword() -> None:
    decision = route(table=TABLE, category="approval", text="窗口人员索要红包")
    assert decision == RouteDecision("discipline", RouteReason.CONDUCT_KEYWORD, "索要红包")


@pytest.mark.parametrize(
    "text",
    [
        "政策红包什么时候发",
        "希望送政策红包给中小企业",
        "审批拖延太久",
        "窗口反复索要材料",
        "办事效率太低，跑了五趟",
        "他们的服务态度不太好",
    ],
)
def test_business_language_is_not_conduct(text: str) -> None:
    decision = route(table=TABLE, category="approval", text=text)
    assert decision.reason not in {RouteReason.CONDUCT_CATEGORY, RouteReason.CONDUCT_KEYWORD}


# --- rules ---------------------------------------------------------------------------------


def test_higher_priority_wins_regardless_of_order() -> None:
    table = _table(
        RoutingRule(("消防",), "fire", 100),
        RoutingRule(("消防验收",), "planning", 300),
    )
    decision = route(table=table, category="approval", text="消防验收排不上")
    assert decision == RouteDecision("planning", RouteReason.KEYWORD, "消防验收")


def test_priority_beats_a_longer_keyword() -> None:
    table = _table(
        RoutingRule(("安全生产许可证",), "emergency", 100),
        RoutingRule(("税",), "tax", 200),
    )
    decision = route(table=table, category="other", text="安全生产许可证和税")
    assert decision.department == "tax"


def test_tie_goes_to_the_longer_keyword() -> None:
    table = _table(
        RoutingRule(("社保",), "hrss", 200),
        RoutingRule(("社保缴费",), "tax", 200),
    )
    assert route(table=table, category="other", text="社保缴费多缴了").department == "tax"
    assert route(table=table, category="other", text="社保转移").department == "hrss"


def test_full_tie_goes_to_the_earlier_rule() -> None:
    first = RoutingRule(("停电",), "econ", 150)
    second = RoutingRule(("停水",), "urban", 150)
    text = "又停水又停电"
    assert route(table=_table(first, second), category="other", text=text).department == "econ"
    assert route(table=_table(second, first), category="other", text=text).department == "urban"


def test_a_rule_uses_its_longest_matching_keyword() -> None:
    table = _table(
        RoutingRule(("税", "退税"), "tax", 100),
        RoutingRule(("出口",), "econ", 100),
    )
    decision = route(table=table, category="other", text="出口退税")
    assert decision == RouteDecision("tax", RouteReason.KEYWORD, "退税")


def test_category_restricted_rule() -> None:
    rule = RoutingRule(("电费",), "market", 300, frozenset({"fees"}))
    table = _table(rule, RoutingRule(("电",), "econ", 100))
    assert route(table=table, category="fees", text="电费加价").department == "market"
    assert route(table=table, category="approval", text="电费加价").department == "econ"
    # The real table: resold-power mark-ups are a price matter only in the fees category.
    assert route(table=TABLE, category="fees", text="转供电加价").department == "market"
    assert route(table=TABLE, category="utilities", text="转供电加价").department == "econ"


def test_category_default_when_no_rule_matches() -> None:
    decision = route(table=TABLE, category="fees", text="协会会费太贵")
    assert decision == RouteDecision("market", RouteReason.CATEGORY_DEFAULT)


def test_other_without_keyword_is_unrouted() -> None:
    decision = route(table=TABLE, category="other", text="园区的路灯坏了好几天")
    assert decision == RouteDecision(None, RouteReason.UNROUTED)


def test_unknown_category_has_no_default_and_no_restricted_rules() -> None:
    assert route(table=TABLE, category="no_such", text="路灯坏了").reason is RouteReason.UNROUTED
    assert route(table=TABLE, category="no_such", text="消防通道").department == "fire"
    assert route(table=TABLE, category="no_such", text="转供电加价").department == "econ"


def test_empty_keywords_never_match() -> None:
    table = _table(RoutingRule(("", "  "), "econ", 999), conduct=("", "\u3000"))
    decision = route(table=table, category="other", text="任何内容")
    assert decision == RouteDecision(None, RouteReason.UNROUTED)


# --- normalization -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("ＩＰＯ辅导", "finance"),
        ("ipo辅导", "finance"),
        ("I P O 辅导", "finance"),
        ("５Ｇ信号差", "econ"),
        ("消 防 通\n道被堵", "fire"),
        ("work permit", "sci_tech"),
        ("WORK\u3000PERMIT", "sci_tech"),
        ("吃　拿　卡　要", "discipline"),
    ],
)
def test_matching_ignores_width_case_and_whitespace(text: str, department: str) -> None:
    assert route(table=TABLE, category="other", text=text).department == department


def test_matched_keyword_is_the_configured_spelling() -> None:
    decision = route(table=TABLE, category="other", text="ｗｏｒｋ ＰＥＲＭＩＴ")
    assert decision.matched_keyword == "work permit"


def test_normalize_for_matching() -> None:
    assert normalize_for_matching(" Ａｂ　c\n\tＤ ") == "abcd"


# --- suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("营业执照变更，窗口让我们反复补材料", "approval"),
        ("行业协会强制收取会费", "fees"),
        ("一个月来了三次检查，还要罚款", "inspection"),
        ("政策红包什么时候兑现，补贴一直没到", "policy"),
        ("厂区停电停水", "utilities"),
        ("招标门槛排斥外地企业", "market_access"),
        ("想申请银行贷款贴息", "financing"),
        ("有人仿冒我们的商标", "ip"),
        ("工程款拖欠一年了", "arrears"),
        ("科长暗示要好处费，还故意刁难", "conduct"),
    ],
)
def test_suggest_category(text: str, category: str) -> None:
    assert suggest_category(hints=HINTS, text=text) == category


def test_suggest_category_none_when_nothing_matches() -> None:
    assert suggest_category(hints=HINTS, text="你好") is None
    assert suggest_category(hints={}, text="停电") is None
    assert suggest_category(hints={"a": ("",)}, text="停电") is None


def test_suggest_category_tie_breaks() -> None:
    hints = {"first": ("停电",), "second": ("停水",), "longer": ("突然停电",)}
    assert suggest_category(hints=hints, text="停电停水") == "first"
    assert suggest_category(hints=hints, text="突然停电") == "longer"
    assert suggest_category(hints={"a": ("x", "X", "ｘ")}, text="x") == "a"


def test_hints_from_settings_keep_config_order() -> None:
    assert list(HINTS) == CATEGORY_CODES
    assert HINTS["other"] == ()


# --- building the table --------------------------------------------------------------------


def test_table_from_settings() -> None:
    assert TABLE.discipline_department == "discipline"
    assert TABLE.categories["conduct"].conduct
    assert TABLE.categories["other"].department is None
    assert len(TABLE.rules) == len(SETTINGS.routing_rules)
    assert "吃拿卡要" in TABLE.conduct_keywords


def test_table_needs_a_discipline_department() -> None:
    with pytest.raises(ConfigError, match="discipline"):
        routing_table_from_settings(Settings())


# --- properties ----------------------------------------------------------------------------


@given(category=st.sampled_from([*CATEGORY_CODES, "", "no_such"]), text=st.text(max_size=300))
def test_route_never_raises_and_lands_on_a_known_department(category: str, text: str) -> None:
    decision = route(table=TABLE, category=category, text=text)
    assert decision.department is None or decision.department in DEPARTMENT_CODES
    assert (decision.department is None) == (decision.reason is RouteReason.UNROUTED)


@given(text=st.text(max_size=300))
def test_conduct_category_always_goes_to_discipline(text: str) -> None:
    decision = route(table=TABLE, category="conduct", text=text)
    assert decision == RouteDecision("discipline", RouteReason.CONDUCT_CATEGORY)


@given(
    prefix=st.text(max_size=50),
    suffix=st.text(max_size=50),
    category=st.sampled_from(CATEGORY_CODES),
)
def test_conduct_keyword_anywhere_goes_to_discipline(
    prefix: str, suffix: str, category: str
) -> None:
    decision = route(table=TABLE, category=category, text=f"{prefix}吃拿卡要{suffix}")
    assert decision.department == "discipline"
