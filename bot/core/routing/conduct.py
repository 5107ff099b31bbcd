"""The conduct safeguard: is this a complaint about an official's conduct?

A conduct complaint is recognised from a combination, not a single word: an official
actor (工作人员, 专管员, 姓王的科长, the inspector, or simply a department the text names)
together with an improper act (steering to a favoured agency, gifts and dinners, retaliation,
a relative's company …). The zone writes both sides in ``[routing.conduct]``.

- STRONG: an actor and an act, or one of the unambiguous ``conduct_keywords`` (吃拿卡要 …);
- WEAK: an act without any actor, or signals next to a hedge that denies wrongdoing
  (不是说他们要好处 …): the desk asks the enterprise, whose answer decides;
- NONE: no act. An actor alone is no signal: every complaint about a department involves
  its staff, and a question asked every time would be clicked away unread.

All matching runs on the normalized text (see ``normalize_for_matching``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.core.routing.matching import normalize_for_matching, positions


class ConductStrength(StrEnum):
    NONE = "none"
    WEAK = "weak"
    STRONG = "strong"


@dataclass(frozen=True)
class ActPattern:
    """One kind of improper act: any phrase alone, or a verb with an object near it."""

    kind: str
    phrases: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    window: int = 12  # characters from the end of the verb to the object after it


@dataclass(frozen=True)
class ConductPatterns:
    """The zone's conduct vocabulary (``[routing.conduct]`` plus ``conduct_keywords``)."""

    actors: tuple[str, ...] = ()
    actor_patterns: tuple[re.Pattern[str], ...] = ()
    acts: tuple[ActPattern, ...] = ()
    hedges: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConductAssessment:
    """What the safeguard found; ``named_departments`` never holds the discipline office."""

    strength: ConductStrength
    signals: tuple[str, ...] = ()
    named_departments: frozenset[str] = frozenset()


def named_departments(
    aliases: Mapping[str, tuple[str, ...]], haystack: str, *, discipline: str
) -> frozenset[str]:
    """Departments whose name or alias appears in the normalized text.

    The discipline office is left out: "我要向纪委反映" names it as the recipient, and
    excluding it would leave conduct complaints with nowhere to go.
    """
    return frozenset(
        code for code, names in aliases.items() if code != discipline and positions(names, haystack)
    )


def _acts(patterns: ConductPatterns, haystack: str) -> list[str]:
    found: list[str] = []
    for act in patterns.acts:
        phrase = next((p for _, _, p in positions(act.phrases, haystack)), None)
        if phrase is not None:
            found.append(f"act:{act.kind}:{phrase}")
            continue
        pair = _near(positions(act.verbs, haystack), positions(act.objects, haystack), act.window)
        if pair is not None:
            found.append(f"act:{act.kind}:{pair[0]}…{pair[1]}")
    return found


def _near(
    verbs: list[tuple[int, int, str]], objects: list[tuple[int, int, str]], window: int
) -> tuple[str, str] | None:
    """The first verb followed by an object at most ``window`` characters after it.

    Only this order: "推荐的那家公司" is steering, "公司推荐" (a company recommending) is not.
    """
    for _, v_end, verb in sorted(verbs):
        for o_start, _, obj in sorted(objects):
            if 0 <= o_start - v_end <= window:
                return verb, obj
    return None


def _actors(patterns: ConductPatterns, haystack: str, named: frozenset[str]) -> list[str]:
    found = [
        f"actor:{a}" for a in dict.fromkeys(k for _, _, k in positions(patterns.actors, haystack))
    ]
    for pattern in patterns.actor_patterns:
        match = pattern.search(haystack)
        if match:
            found.append(f"actor:{match.group(0)}")
    # A department the text names is an actor too: "市场监管的人…点名要去某检测公司".
    found.extend(f"actor:department:{code}" for code in sorted(named))
    return found


def officials_named(
    *,
    patterns: ConductPatterns,
    aliases: Mapping[str, tuple[str, ...]],
    discipline: str,
    text: str,
) -> list[str]:
    """The actor signals alone: the officials or departments a text speaks of."""
    haystack = normalize_for_matching(text)
    named = named_departments(aliases, haystack, discipline=discipline)
    return _actors(patterns, haystack, named)


def assess_conduct(
    *,
    patterns: ConductPatterns,
    aliases: Mapping[str, tuple[str, ...]],
    discipline: str,
    text: str,
) -> ConductAssessment:
    """Find the conduct signals in ``text``; see the module docstring for the strengths."""
    haystack = normalize_for_matching(text)
    named = named_departments(aliases, haystack, discipline=discipline)
    keywords = [f"keyword:{k}" for _, _, k in positions(patterns.keywords, haystack)]
    acts = _acts(patterns, haystack)
    if not keywords and not acts:
        return ConductAssessment(ConductStrength.NONE, named_departments=named)
    actors = _actors(patterns, haystack, named)
    hedges = [f"hedge:{h}" for _, _, h in positions(patterns.hedges, haystack)]
    signals = tuple(dict.fromkeys([*keywords, *acts, *actors, *hedges]))
    strong = bool(keywords) or bool(actors)
    strength = ConductStrength.STRONG if strong and not hedges else ConductStrength.WEAK
    return ConductAssessment(strength, signals, named)
