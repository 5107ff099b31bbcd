"""The conduct safeguard on the sample zone: combinations, not single words."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.core.routing import ConductStrength, assess_conduct, routing_table_from_settings

TABLE = routing_table_from_settings(load_settings(environ={}))


def assess(text: str):
    return assess_conduct(
        patterns=TABLE.conduct, aliases=TABLE.aliases, discipline="discipline", text=text
    )


# An official actor together with an improper act, written as enterprises write it.
STRONG = [
    # steering to a favoured intermediary, agency, lab or supplier
    "窗口的工作人员说材料不行，让我们去找他介绍的代办，说两天就能下来",
    "专管员一直暗示我们换代账公司，推荐他认识的一家，说换了以后申报上好说话",
    "检查员说我们的检测报告不算，只认他们指定的那家检测机构",
    "质监站的人说图纸要找他熟悉的设计院改，改完保证过",
    "消防大队的人推荐我们去他朋友的公司买灭火器",
    # dinners, gifts, fees — mostly in paraphrase
    "科技局有个人打电话说帮我们说了不少好话，问我们什么时候表示表示",
    "城管中队的张队说吃个饭聊聊就不罚了，饭店都帮我们订好了",
    "检查组走之前说年底了兄弟们辛苦，让我们意思意思",
    "窗口那个男的说想快点的话加急费两千，转他个人账户",
    # retaliation and obstruction
    "我们投诉过城管一次，之后招牌报备每次都被退回来",
    "经办人说你们不是会告吗，排污许可延续就一直被退",
    # relatives and related companies
    "市场监管的人点名要我们去某检测公司，后来才知道那公司老板是他小舅子",
    "审批局一个科员，他老婆开的代办公司一次就能过",
    # unambiguous keywords alone
    "吃拿卡要太严重了",
    "税务局的专管员索要好处费",
    # English
    "The inspector from the safety bureau said the report must be redone by a consultancy he named",
    "Our tax officer gave us the card of an accounting firm, hinting the refund would be faster",
    "The clerk asked for a gift before stamping our form",
]

# Only one side of the pair, or a denial next to the signal: the enterprise is asked.
WEAK = [
    "有人跟我们说给点好处就能快一点，不知道真假",  # an act, no official named
    "不是说他们吃拿卡要，就是审批太慢了",  # a conduct keyword beside a denial
    "我不是说他们故意为难，就是希望一次性告知",
    "窗口让我们找代理记账公司帮忙写，他说哪家都行",  # steering, but "any will do"
]

# Near misses: business language that looks like conduct, or an actor alone.
NONE = [
    "政策红包什么时候发",
    "窗口工作人员说材料不全，让我们下周再来",  # an actor, no act
    "检查组来检查说我们消防通道堆了货要罚款",
    "园区推荐的银行贷款利率太高",  # 推荐 with no intermediary object after it
    "供电公司推荐我们申请电力增容",
    "我们公司介绍一下情况：厂房漏水三个月没人修",
    "审批拖延了两个多月，窗口反复索要同样的材料",
    "下水道堵了，物业说要找疏通公司",
    "Our VAT refund has been pending for two months",
]


@pytest.mark.parametrize("text", STRONG)
def test_actor_and_act_is_strong(text: str) -> None:
    found = assess(text)
    assert found.strength is ConductStrength.STRONG, found
    assert found.signals


@pytest.mark.parametrize("text", WEAK)
def test_one_side_or_a_hedge_is_weak(text: str) -> None:
    assert assess(text).strength is ConductStrength.WEAK


@pytest.mark.parametrize("text", NONE)
def test_near_misses_are_no_signal(text: str) -> None:
    found = assess(text)
    assert found.strength is ConductStrength.NONE, found
    assert found.signals == ()


def test_signals_name_the_actor_and_the_act() -> None:
    found = assess("消防大队的人推荐我们去他朋友的公司买灭火器")
    assert "actor:department:fire" in found.signals
    assert any(s.startswith("act:steering:推荐") for s in found.signals)
    assert any(s.startswith("act:relatives:") for s in found.signals)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("科技局的人推荐咨询公司", {"sci_tech"}),
        ("专管员和税务所都说不归他们", {"tax"}),
        ("质监站的检查员收了两条烟", {"planning"}),
        ("城管和市场监管轮番来查", {"urban", "market"}),
        ("The officer from the fire brigade asked for a gift", {"fire"}),
        ("我要向纪委反映审批局的人吃拿卡要", {"approval"}),  # the recipient is no accused
        ("厂房漏水", set()),
    ],
)
def test_aliases_give_named_departments(text: str, named: set[str]) -> None:
    assert assess(text).named_departments == named


def test_matching_ignores_width_case_and_whitespace() -> None:
    assert assess("ＴＨＥ　ＩＮＳＰＥＣＴＯＲ  asked for a GIFT").strength is ConductStrength.STRONG
    assert assess("吃　拿　卡　要").strength is ConductStrength.STRONG


def test_a_verb_needs_its_object_after_it() -> None:
    # "推荐的那家公司" steers; "公司推荐" is a company recommending something.
    assert assess("检查员推荐的那家公司").strength is ConductStrength.STRONG
    assert assess("检查员说代账公司推荐我们用新系统").strength is ConductStrength.NONE
