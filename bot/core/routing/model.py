"""The classifier that learns the zone: character n-grams of the text, plus the category.

scikit-learn is imported only inside the functions that train or load a model, so
importing ``bot.core.routing`` stays cheap for a desk that has no model yet.

Features (one row per complaint):

- ``text``: TF-IDF of character 1–3-grams (``char_wb``) of the normalized text — Chinese
  needs no word segmentation this way, and typos cost only a few n-grams;
- ``meta``: tokens for the category the enterprise picked (``cat:policy``), the keyword
  rules that match (``rule:tax``) and the departments the text names (``named:tax``),
  clause by clause: ``not-rule:tax`` where the clause denies it (不是…, 不归…) and
  ``focus:approval`` where it says what the matter really is (其实…, 而是…). The category
  is an input the model weighs, not the verdict.

A linear SVM, sigmoid-calibrated, turns them into one probability per department.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from bot.core.routing.matching import normalize_for_matching, positions

FORMAT = 1
_MAGIC = b"dianxiaoer-routing-model\n"
HOLDOUT = 0.2
# Measured by 5-fold cross-validation on the shipped corpus (docs/routing.md).
META_WEIGHT = 0.2  # the category/rule/alias tokens beside the n-grams
NGRAMS = (1, 3)  # character n-gram lengths
SVM_C = 1.0
# Clause boundaries, and the cues that turn "提到税务" into "not tax" or mark the clause
# that carries the matter. They are language, not zone knowledge, so they live here.
_CLAUSE = re.compile(r"[，。；！？,.;!?：:（）()]")
NEGATION_CUES = (
    "不是",
    "并非",
    "不归",
    "无关",
    "不涉及",
    "不属于",
    "不找",
    "没关系",
    "not",  # also "isnot", "cannot" once the spaces are gone
    "n't",
)
FOCUS_CUES = (
    "其实",
    "而是",
    "真正",
    "是因为",
    "要问的是",
    "主要是",
    "actually",
    "really",
    "instead",
)


def affirmed(text: str) -> str:
    """The normalized text without its denying clauses ("不是消防验收的问题，…"), the
    clauses kept apart so that no keyword matches across two of them."""
    clauses = _CLAUSE.split(normalize_for_matching(text))
    return "|".join(c for c in clauses if c and not any(cue in c for cue in NEGATION_CUES))


class ModelMismatch(ValueError):
    """Stored model bytes this installation cannot use (other format or scikit-learn)."""


@dataclass(frozen=True)
class LabelledExample:
    """One complaint with the department that should handle it."""

    text: str
    category: str | None
    department: str
    conduct: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Hints:
    """Zone knowledge turned into features: keyword rules and department aliases.

    Captured when the model is trained, so a prediction sees the same features as its
    training did even after the config changes (retraining picks the change up).
    """

    rules: tuple[tuple[tuple[str, ...], str, frozenset[str]], ...] = ()
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def tokens(self, text: str, category: str | None) -> str:
        """``cat:…`` and, clause by clause, ``rule:…``/``named:…`` for what matches —
        ``not-…`` in a clause that denies it (不是…, 不归…), plus ``focus:…`` in a clause
        that says what the matter really is (其实是…, 而是…)."""
        tokens = [f"cat:{category or '-'}"]
        for clause in _CLAUSE.split(normalize_for_matching(text)):
            if not clause:
                continue
            negated = any(cue in clause for cue in NEGATION_CUES)
            focus = any(cue in clause for cue in FOCUS_CUES)
            found = [
                f"rule:{department}"
                for keywords, department, categories in self.rules
                if (not categories or category in categories) and positions(keywords, clause)
            ]
            found += [f"named:{code}" for code, names in self.aliases if positions(names, clause)]
            for token in found:
                tokens.append(f"not-{token}" if negated else token)
                if focus and not negated:
                    tokens.append(f"focus:{token.split(':', 1)[1]}")
        return " ".join(dict.fromkeys(tokens))


def model_text(text: str) -> str:
    """The text as the n-gram vectorizer sees it: NFKC, lower case, single spaces (the
    spaces keep English words apart for ``char_wb``)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def sklearn_version() -> str:
    return metadata.version("scikit-learn")


@dataclass
class RoutingModel:
    """A trained classifier with what the desk stores beside it."""

    version: str
    accuracy: float  # on the held-out split, before the final fit on everything
    trained_at: datetime
    n_examples: int
    hints: Hints = field(default_factory=Hints)
    pipeline: Any = None  # sklearn Pipeline; Any because scikit-learn has no type hints
    _linear: Any = field(default=None, init=False, repr=False, compare=False)

    def _rows(self, items: Sequence[tuple[str, str | None]]) -> Any:
        return _rows(items, self.hints)

    def predict(self, text: str, category: str | None) -> list[tuple[str, float]]:
        """Every department the model knows with its probability, best first."""
        return self.predict_many([(text, category)])[0]

    def predict_many(
        self, items: Sequence[tuple[str, str | None]]
    ) -> list[list[tuple[str, float]]]:
        if self._linear is None:
            self._linear = _Linear.of(self.pipeline)
        probabilities = self._linear.predict_proba(self._rows(items))
        classes = [str(c) for c in self.pipeline.classes_]
        return [
            sorted(zip(classes, map(float, row), strict=True), key=lambda p: -p[1])
            for row in probabilities
        ]

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.pipeline.classes_)

    def to_bytes(self) -> bytes:
        """A header line (JSON) and the pickled pipeline; see ``from_bytes``."""
        header = {
            "format": FORMAT,
            "sklearn": sklearn_version(),
            "version": self.version,
            "accuracy": self.accuracy,
            "trained_at": self.trained_at.isoformat(),
            "n_examples": self.n_examples,
        }
        body = pickle.dumps({"hints": self.hints, "pipeline": self.pipeline}, protocol=5)
        return _MAGIC + json.dumps(header).encode() + b"\n" + body

    @classmethod
    def from_bytes(cls, data: bytes) -> RoutingModel:
        """Load stored bytes; ModelMismatch when they come from another format or
        scikit-learn release (the caller retrains: pickles do not cross sklearn versions).

        The bytes are unpickled: only load what this desk stored itself.
        """
        header = read_header(data)
        if header.get("format") != FORMAT:
            raise ModelMismatch(f"model format {header.get('format')!r}, expected {FORMAT}")
        if header.get("sklearn") != sklearn_version():
            raise ModelMismatch(
                f"model trained with scikit-learn {header.get('sklearn')}, "
                f"installed {sklearn_version()}: retrain"
            )
        pickled = io.BytesIO(data[len(_MAGIC) :].split(b"\n", 1)[1])
        body = _Unpickler(pickled).load()  # our own bytes (see docstring)
        return cls(
            version=str(header["version"]),
            accuracy=float(header["accuracy"]),
            trained_at=datetime.fromisoformat(str(header["trained_at"])),
            n_examples=int(header["n_examples"]),
            hints=body["hints"],
            pipeline=body["pipeline"],
        )


class _Unpickler(pickle.Unpickler):
    """Finds this module's classes (Hints) wherever the package has moved since they were
    pickled: a stored model names the module path of the release that trained it."""

    def find_class(self, module: str, name: str) -> Any:
        if module != __name__ and module.endswith(".routing.model"):
            module = __name__
        return super().find_class(module, name)


class _Linear:
    """The fitted pipeline's arithmetic without scikit-learn's per-call checks.

    ``Pipeline.predict_proba`` validates its input once per calibrator and transformer:
    ~5 ms for one text, nearly all of it overhead. The same numbers — the vectorizers'
    output, the weights, the SVM's scores, each department's sigmoid, normalized — cost
    well under one. ``tests/routing/test_model.py`` checks both agree. Falls back to the
    pipeline itself for a shape it does not know (two departments).
    """

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        features = pipeline.named_steps["features"]
        weights = features.transformer_weights or {}
        self.parts = [
            (features.named_transformers_[name], weights.get(name, 1.0), column)
            for name, _, column in features.transformers
        ]
        [calibrated] = pipeline.named_steps["classifier"].calibrated_classifiers_
        svm = calibrated.estimator
        self.fast = len(calibrated.classes) > 2 and list(svm.classes_) == list(calibrated.classes)
        self.coef = svm.coef_.T
        self.intercept = svm.intercept_
        import numpy as np

        self.a = np.array([c.a_ for c in calibrated.calibrators])
        self.b = np.array([c.b_ for c in calibrated.calibrators])

    @classmethod
    def of(cls, pipeline: Any) -> _Linear:
        return cls(pipeline)

    def predict_proba(self, rows: Any) -> Any:
        if not self.fast:
            return self.pipeline.predict_proba(rows)
        import numpy as np

        # The columns of each part's matrix meet their own rows of the coefficients,
        # exactly as the ColumnTransformer's side-by-side stacking would.
        scores = self.intercept
        start = 0
        for vectorizer, weight, column in self.parts:
            part = vectorizer.transform(rows[:, column]) * weight
            scores = scores + part @ self.coef[start : start + part.shape[1]]
            start += part.shape[1]
        proba = 1.0 / (1.0 + np.exp(self.a * scores + self.b))
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        return np.where(total > 0, proba / np.where(total > 0, total, 1.0), uniform)


def read_header(data: bytes) -> dict[str, Any]:
    """The JSON header of stored model bytes, without unpickling anything."""
    if not data.startswith(_MAGIC):
        raise ModelMismatch("not a routing model")
    line = data[len(_MAGIC) :].split(b"\n", 1)[0]
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise ModelMismatch("damaged model header") from exc
    if not isinstance(header, dict):
        raise ModelMismatch("damaged model header")
    return header


def _rows(items: Sequence[tuple[str, str | None]], hints: Hints) -> Any:
    import numpy as np

    rows = np.empty((len(items), 2), dtype=object)
    for i, (text, category) in enumerate(items):
        rows[i, 0] = model_text(text)
        rows[i, 1] = hints.tokens(text, category)
    return rows


def text_vectorizer() -> Any:
    """The text half of the features, unfitted: TF-IDF of character n-grams of
    :func:`model_text`. Finding similar tickets (bot/core/similar.py) uses the same one."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True)


def fitted_text_vectorizer(model: RoutingModel) -> Any:
    """The trained model's text vectorizer (fitted on what the model was trained on)."""
    return model.pipeline.named_steps["features"].named_transformers_["text"]


def _pipeline(seed: int, smallest_class: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    features = ColumnTransformer(
        [
            ("text", text_vectorizer(), 0),
            ("meta", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True), 1),
        ],
        transformer_weights={"text": 1.0, "meta": META_WEIGHT},
    )
    # A linear SVM is as accurate as a logistic regression here and ~50x faster to
    # train; sigmoid calibration over internal folds turns its scores into probabilities.
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=seed)
    # ensemble=False: one SVM fitted on everything, calibrated on cross-validated scores —
    # a third of the size and of the work per decision of an ensemble of three.
    classifier = CalibratedClassifierCV(
        svm, method="sigmoid", cv=min(3, smallest_class), ensemble=False
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def _split(labels: Sequence[str], *, seed: int, holdout: float) -> tuple[list[int], list[int]]:
    """A stratified split: about ``holdout`` of each department held out, at least one
    where a department has three examples or more, none where it has fewer."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_label[label].append(index)
    rng = random.Random(seed)
    train_part: list[int] = []
    held: list[int] = []
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        k = round(len(indices) * holdout) if len(indices) >= 3 else 0
        k = max(k, 1) if len(indices) >= 3 else 0
        held.extend(indices[:k])
        train_part.extend(indices[k:])
    return sorted(train_part), sorted(held)


def fit(examples: Sequence[LabelledExample], *, hints: Hints, seed: int = 0) -> Any:
    """A pipeline fitted on all of ``examples`` (no held-out split)."""
    # Calibration splits every department in (up to) three; a department with a single
    # example (new in the history) is given twice so that it can be split at all.
    counts = Counter(e.department for e in examples)
    padded = [*examples, *(e for e in examples if counts[e.department] == 1)]
    pipeline = _pipeline(seed, min(counts.values()) if min(counts.values()) > 1 else 2)
    items = [(e.text, e.category) for e in padded]
    pipeline.fit(_rows(items, hints), [e.department for e in padded])
    return pipeline


def train(
    examples: Sequence[LabelledExample],
    *,
    hints: Hints | None = None,
    seed: int = 0,
    now: datetime | None = None,
) -> RoutingModel:
    """Hold out a stratified split, record the accuracy there, then fit on everything.

    ``hints`` (``hints_from_table``) adds the zone's keyword rules and aliases as features;
    the desk always passes them. Raises ValueError with fewer than two departments.
    """
    hints = hints or Hints()
    labels = [e.department for e in examples]
    if len(set(labels)) < 2:
        raise ValueError("training needs examples of at least two departments")
    train_part, held = _split(labels, seed=seed, holdout=HOLDOUT)
    accuracy = 0.0
    if held:
        partial = fit([examples[i] for i in train_part], hints=hints, seed=seed)
        predicted = partial.predict(
            _rows([(examples[i].text, examples[i].category) for i in held], hints)
        )
        accuracy = sum(p == labels[i] for p, i in zip(predicted, held, strict=True)) / len(held)
    pipeline = fit(examples, hints=hints, seed=seed)
    trained_at = now or datetime.now(UTC)
    digest = hashlib.sha256(
        "\n".join(f"{e.department}\t{e.category}\t{e.text}" for e in examples).encode()
    ).hexdigest()[:8]
    return RoutingModel(
        version=f"{trained_at:%Y%m%d%H%M%S}-{digest}",
        accuracy=accuracy,
        trained_at=trained_at,
        n_examples=len(examples),
        hints=hints,
        pipeline=pipeline,
    )
