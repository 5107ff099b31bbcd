"""Checks of what enterprises type in: they return codes and normal forms, never sentences."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "USCC_ALPHABET",
    "USCC_LENGTH",
    "UsccProblem",
    "UsccResult",
    "check_uscc",
    "clean_text",
    "normalize_phone",
    "normalize_uscc",
    "uscc_check_character",
]

# --- Unified social credit code (统一社会信用代码, GB 32100-2015) -----------------------------

USCC_LENGTH = 18
# The standard's 31 characters: digits and capitals without I, O, Z, S, V (too easily
# confused with 1, 0, 2, 5, U).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_SEPARATORS = re.compile(r"[\s\-]+")


class UsccProblem(StrEnum):
    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTER = "bad_character"
    BAD_CHECK_CHARACTER = "bad_check_character"


@dataclass(frozen=True)
class UsccResult:
    """Outcome of ``check_uscc``.

    ``position`` is 1-based. For BAD_CHARACTER, ``character``/``position`` name the first
    offending character; for BAD_CHECK_CHARACTER, ``character`` is the one given and
    ``expected`` the one the first 17 characters call for.
    """

    ok: bool
    normalized: str
    problem: UsccProblem | None = None
    character: str | None = None
    position: int | None = None
    expected: str | None = None


def normalize_uscc(text: str) -> str:
    """Full-width → half-width, spaces and dashes removed, upper-case."""
    half = unicodedata.normalize("NFKC", text)
    return _USCC_SEPARATORS.sub("", half).upper()


def uscc_check_character(first17: str) -> str:
    """The 18th character for 17 valid characters: 31 - (Σ value·weight mod 31), 31 → 0."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(text: str) -> UsccResult:
    """Check length, alphabet and check character.

    Deliberately not checked, although the standard describes them: the registration
    authority (1st) and type (2nd) characters, whose code lists keep growing (e.g. A for
    military units, N for agriculture), the region code (3rd–8th) and the embedded GB 11714
    organization code's own check digit, which codes issued to individual businesses (个体
    工商户) do not satisfy. Rejecting a real code would be worse than letting a typo reach
    the department; the check character already catches nearly all typos.
    """
    code = normalize_uscc(text)
    if len(code) != USCC_LENGTH:
        return UsccResult(ok=False, normalized=code, problem=UsccProblem.WRONG_LENGTH)
    for index, ch in enumerate(code):
        if ch not in _USCC_VALUE:
            return UsccResult(
                ok=False,
                normalized=code,
                problem=UsccProblem.BAD_CHARACTER,
                character=ch,
                position=index + 1,
            )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return UsccResult(
            ok=False,
            normalized=code,
            problem=UsccProblem.BAD_CHECK_CHARACTER,
            character=code[17],
            position=USCC_LENGTH,
            expected=expected,
        )
    return UsccResult(ok=True, normalized=code)


# --- Phone numbers ---------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-().]+")
_EXTENSION = re.compile(r"^(?P<main>.+?)\s*(?:转|分机|ext\.?|x|#|-)\s*(?P<ext>\d{1,6})$", re.I)
_COUNTRY_PREFIX = re.compile(r"^(?:\+|00)86")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 02x have three digits, 03xx–09xx four; local numbers 7–8 digits, no 0.
_LANDLINE = re.compile(r"^(?P<area>0(?:10|2\d|[3-9]\d\d))(?P<local>[1-9]\d{6,7})$")
_SERVICE = re.compile(r"^(?P<a>[48]00)(?P<b>\d{3})(?P<c>\d{4})$")  # 400/800 hotlines
_INTERNATIONAL = re.compile(r"^(?:\+|00)(?P<digits>[1-9]\d{7,14})$")


def normalize_phone(text: str) -> str | None:
    """A contact number in a canonical form, or None if it is not a phone number.

    Forms: mainland mobile "13800138000"; landline "0592-5551234" (with "-801" for an
    extension); hotline "400-123-4567"; other countries "+85291234567". Accepts +86 / 0086
    / 86 prefixes, spaces, dashes, brackets and full-width digits. Idempotent.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return None
    found = _normalize_plain(raw)
    if found is not None:
        return found
    # Only landlines take extensions; "-" is tried last because it also separates groups.
    ext = _EXTENSION.match(raw)
    if ext is not None:
        landline = _landline(_PHONE_SEPARATORS.sub("", ext["main"]))
        if landline is not None:
            return f"{landline}-{ext['ext']}"
    return None


def _normalize_plain(raw: str) -> str | None:
    compact = _PHONE_SEPARATORS.sub("", raw)
    national = _COUNTRY_PREFIX.sub("", compact)
    if _MOBILE.match(national):
        return national
    # A bare "86" prefix only for mobiles: "86…" could also start a foreign-looking number.
    if compact.startswith("86") and _MOBILE.match(compact[2:]):
        return compact[2:]
    service = _SERVICE.match(national)
    if service is not None:
        return f"{service['a']}-{service['b']}-{service['c']}"
    landline = _landline(compact)
    if landline is not None:
        return landline
    international = _INTERNATIONAL.match(compact)
    if international is not None and not international["digits"].startswith("86"):
        return f"+{international['digits']}"
    return None


def _landline(compact: str) -> str | None:
    national = compact
    if _COUNTRY_PREFIX.match(compact):
        national = _COUNTRY_PREFIX.sub("", compact)
        # After a country code the trunk 0 is usually dropped: +86 592 … means 0592 ….
        if not national.startswith("0"):
            national = "0" + national
    match = _LANDLINE.match(national)
    if match is None:
        return None
    return f"{match['area']}-{match['local']}"


# --- Free text -------------------------------------------------------------------------------

# Zero-width and bidirectional-control characters: invisible, and bidi overrides can make a
# stored text display differently from what it says. ZWJ (U+200D) stays: emoji need it.
_KEEP_FORMAT = {"\u200d"}
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_TRAILING_SPACE = re.compile(r"[ \t\u3000]+$", re.M)
_BLANK_RUN = re.compile(r"\n{4,}")


def clean_text(text: str) -> str:
    """Text ready for storage: NFC, unified line breaks, no invisible or control characters
    (newline and tab kept), no trailing spaces, at most two blank lines in a row, stripped."""
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    text = "".join(ch for ch in text if _keep(ch))
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_RUN.sub("\n\n\n", text).strip()


def _keep(ch: str) -> bool:
    if ch in "\n\t" or ch in _KEEP_FORMAT:
        return True
    return unicodedata.category(ch) not in {"Cc", "Cf"}
