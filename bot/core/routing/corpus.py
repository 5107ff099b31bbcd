"""Labelled TOML files: the zone's training corpus and the evaluation cases.

Corpus (``[[example]]``: text, category, department, conduct, reason) — what the model
learns from; evaluation cases (``[[case]]``: id, text, category, expected) — what
``dianxiaoer routing eval`` measures.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.routing.model import LabelledExample

SHIPPED_CORPUS = "data/examples.toml"


class CorpusError(ValueError):
    """A labelled file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class EvalCase:
    id: str
    text: str
    category: str | None
    expected: str


def _load(source: str, text: str, table: str) -> list[dict[str, Any]]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{source}: not valid TOML: {exc}") from exc
    entries = raw.get(table, [])
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{source}: no [[{table}]] entries")
    return entries


def _field(source: str, table: str, index: int, entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(f"{source}: {table} {index + 1}: {key} must be a non-empty string")
    return value


def parse_examples(text: str, *, source: str) -> list[LabelledExample]:
    """The ``[[example]]`` entries of a corpus file."""
    examples = []
    for i, entry in enumerate(_load(source, text, "example")):
        examples.append(
            LabelledExample(
                text=_field(source, "example", i, entry, "text"),
                category=entry.get("category") or None,
                department=_field(source, "example", i, entry, "department"),
                conduct=bool(entry.get("conduct", False)),
                reason=str(entry.get("reason", "")),
            )
        )
    return examples


def parse_cases(text: str, *, source: str) -> list[EvalCase]:
    """The ``[[case]]`` entries of an evaluation file; ids must be unique."""
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for i, entry in enumerate(_load(source, text, "case")):
        case_id = str(entry.get("id", "")).strip() or f"#{i + 1}"
        if case_id in seen:
            raise CorpusError(f"{source}: case {i + 1}: id {case_id!r} appears twice")
        seen.add(case_id)
        cases.append(
            EvalCase(
                id=case_id,
                text=_field(source, "case", i, entry, "text"),
                category=entry.get("category") or None,
                expected=_field(source, "case", i, entry, "expected"),
            )
        )
    return cases


def read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the file ({exc.strerror})") from exc


def load_cases(path: Path) -> list[EvalCase]:
    return parse_cases(read_file(path), source=str(path))


def load_examples(path: Path) -> list[LabelledExample]:
    return parse_examples(read_file(path), source=str(path))


def load_shipped_examples(settings: Settings | Path | None = None) -> list[LabelledExample]:
    """The zone's corpus: ``[routing] examples`` when set (or the path given), else the
    corpus shipped with the sample zone."""
    if isinstance(settings, Path):
        return load_examples(settings)
    if settings is not None and settings.routing.examples:
        return load_examples(Path(settings.routing.examples))
    text = resources.files("bot.core.routing").joinpath(SHIPPED_CORPUS).read_text(encoding="utf-8")
    return parse_examples(text, source=f"shipped {SHIPPED_CORPUS}")


def check_labels(examples: list[LabelledExample], settings: Settings) -> None:
    """Every label must be a department that takes tickets, every category a known one."""
    departments = {d.code for d in settings.departments if d.role in ("department", "discipline")}
    categories = {c.code for c in settings.categories}
    for i, example in enumerate(examples):
        if example.department not in departments:
            raise CorpusError(f"example {i + 1}: unknown department {example.department!r}")
        if example.category is not None and example.category not in categories:
            raise CorpusError(f"example {i + 1}: unknown category {example.category!r}")
