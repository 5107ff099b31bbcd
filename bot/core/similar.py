"""Finding similar tickets: the routing model's text representation over an index in memory.

The representation is the routing model's own (bot/core/routing/model.py): TF-IDF of the
character 1–3-grams of :func:`~bot.core.routing.model.model_text`, L2-normalised, so the
similarity of two tickets is the cosine of their vectors. With a trained model stored, its
fitted text vectorizer is used; before one is (a fresh install), the same vectorizer is
fitted on the shipped corpus — exactly what the first model is trained on — so the desk
finds similar tickets from its first complaint on. No second representation exists.

:class:`SimilarIndex` holds the vectors of the recent tickets (``[common] window_days``)
of one database, by ticket id, reporter and filing time. It is built once at start in a
worker thread (bot/jobs.py, after the routing model's start job) and refreshed
incrementally before every search: the tickets whose id is above the last one seen (with
a small look-back for ids that committed out of order on another instance), so a ticket
filed by another instance is found too. Searching is a sparse product with the postings
of the query's n-grams (a column-major matrix, i.e. an inverted index): ~18 ms at p99 among
10^5 tickets with the group check (benchmarks/similar.py, docs/benchmarks.md).

Conduct complaints (作风问题) are never indexed: they are not linked to anyone's.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.core import desk_routing
from bot.core.routing import load_shipped_examples
from bot.core.routing.model import fitted_text_vectorizer, model_text, text_vectorizer
from storage import queries

log = logging.getLogger(__name__)

#: Ids below the last one seen that are looked at again on every refresh: on PostgreSQL a
#: ticket id is drawn when the row is inserted, and a transaction that drew a smaller id
#: may commit after one that drew a larger.
LOOK_BACK = 20
#: Rows added one refresh at a time are kept in small blocks; past this many, the blocks
#: are merged into one (searching many blocks costs a product each).
MERGE_AT = 2000
#: Past this many blocks the small ones are merged into one (the big first block stays):
#: in a burst every filing adds a block, and 200 one-ticket blocks made each filing's
#: search and group check cost 28 ms instead of 1 (docs/benchmarks.md).
MAX_BLOCKS = 8


@dataclass(frozen=True)
class Hit:
    """A ticket similar to the one searched for, and how similar (cosine, 0–1)."""

    ticket_id: int
    reporter_id: int
    score: float


_CJK = re.compile(r"[\u3400-\u9fff]")


def compares(ngram: str) -> bool:
    """Whether an n-gram of the routing vectorizer takes part in comparing two tickets: two
    characters or more, with a Chinese one or three letters. Single characters and pairs of
    letters (的, 了, "th") are in every complaint alike; measured on the tuning split, they
    only made unrelated tickets look alike (docs/common-problems.md)."""
    core = ngram.strip()
    return len(core) > 1 and (bool(_CJK.search(core)) or len(core) >= 3)


class Representation:
    """Texts → L2-normalised TF-IDF vectors (scipy sparse rows) of the routing vectorizer,
    over the n-grams that compare tickets (:func:`compares`); ``origin``: whose fit."""

    def __init__(self, vectorizer: Any, origin: str) -> None:
        import numpy as np

        self.vectorizer = vectorizer
        self.origin = origin
        names = vectorizer.get_feature_names_out()
        self.columns = np.flatnonzero([compares(str(n)) for n in names])

    def vectors(self, texts: Sequence[str]) -> Any:
        import numpy as np
        from scipy import sparse

        rows = self.vectorizer.transform([model_text(t) for t in texts]).tocsc()[:, self.columns]
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return (sparse.diags(1.0 / norms) @ rows).tocsr()

    def similarities(self, text: str, others: Sequence[str]) -> list[float]:
        """The cosine of ``text`` with each of ``others``."""
        rows = self.vectors([text, *others])
        return [float(x) for x in (rows[1:] @ rows[0].T).toarray().ravel()]


_corpus_lock = threading.Lock()
_corpus_fits: dict[tuple[str, ...], Representation] = {}


def corpus_representation(settings: Settings | None) -> Representation:
    """The routing vectorizer fitted on the shipped corpus (what a fresh model learns from);
    fitted once per process for each corpus."""
    texts = tuple(e.text for e in load_shipped_examples(settings))
    with _corpus_lock:
        found = _corpus_fits.get(texts)
        if found is None:
            vectorizer = text_vectorizer()
            vectorizer.fit([model_text(t) for t in texts])
            found = Representation(vectorizer, "corpus")
            _corpus_fits.clear()
            _corpus_fits[texts] = found
    return found


def representation(*, session: Session, settings: Settings) -> Representation:
    """The active routing model's text vectorizer, or the corpus fit before there is one."""
    router = desk_routing.current_router(session=session, settings=settings)
    if router.model is not None:
        return Representation(fitted_text_vectorizer(router.model), router.model.version)
    return corpus_representation(settings)


@dataclass
class _Block:
    matrix: Any  # CSC: rows are tickets, columns n-grams (column-major = postings)
    ids: Any
    reporters: Any
    times: Any  # POSIX seconds of filing


def _merged(blocks: Sequence[_Block]) -> _Block:
    import numpy as np
    from scipy import sparse

    return _Block(
        sparse.vstack([b.matrix for b in blocks]).tocsc(),
        np.concatenate([b.ids for b in blocks]),
        np.concatenate([b.reporters for b in blocks]),
        np.concatenate([b.times for b in blocks]),
    )


class SimilarIndex:
    """The recent tickets' vectors; thread-safe (the start job builds it in a thread)."""

    def __init__(self, rep: Representation, window: timedelta) -> None:
        self.rep = rep
        self.window = window
        self.blocks: list[_Block] = []
        self.known: set[int] = set()
        self.last_id = 0
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.known)

    def add(self, rows: Sequence[tuple[int, int, datetime, str]]) -> None:
        """(ticket id, reporter id, filed at, text) of tickets not indexed yet."""
        import numpy as np

        with self.lock:
            fresh = [r for r in rows if r[0] not in self.known]
            if not fresh:
                return
            matrix = self.rep.vectors([r[3] for r in fresh]).tocsc()
            self.blocks.append(
                _Block(
                    matrix,
                    np.array([r[0] for r in fresh], dtype=np.int64),
                    np.array([r[1] for r in fresh], dtype=np.int64),
                    np.array([r[2].timestamp() for r in fresh], dtype=np.float64),
                )
            )
            self.known.update(r[0] for r in fresh)
            self.last_id = max(self.last_id, max(r[0] for r in fresh))
            if len(self.blocks) > 1 and sum(len(b.ids) for b in self.blocks[1:]) > MERGE_AT:
                self.blocks = [_merged(self.blocks)]
            elif len(self.blocks) > MAX_BLOCKS:
                self.blocks = [self.blocks[0], _merged(self.blocks[1:])]

    def prune(self, before: datetime) -> None:
        """Forget the tickets filed before ``before`` (outside every window from now on)."""
        cut = before.timestamp()
        with self.lock:
            kept = []
            for block in self.blocks:
                keep = block.times >= cut
                if keep.all():
                    kept.append(block)
                elif keep.any():
                    self.known.difference_update(int(i) for i in block.ids[~keep])
                    kept.append(
                        _Block(
                            block.matrix.tocsr()[keep].tocsc(),
                            block.ids[keep],
                            block.reporters[keep],
                            block.times[keep],
                        )
                    )
                else:
                    self.known.difference_update(int(i) for i in block.ids)
            self.blocks = kept

    def search(
        self,
        text: str,
        *,
        since: datetime,
        threshold: float,
        other_than_reporter: int | None = None,
        only_reporter: int | None = None,
        exclude: frozenset[int] = frozenset(),
        limit: int = 20,
    ) -> list[Hit]:
        """The indexed tickets filed at or after ``since`` whose similarity to ``text`` is at
        least ``threshold``, best first: of other reporters than ``other_than_reporter``, or
        only ``only_reporter``'s."""
        import numpy as np

        query = self.rep.vectors([text]).T.tocsc()  # one column
        if query.nnz == 0:
            return []
        start = since.timestamp()
        hits: list[Hit] = []
        with self.lock:
            blocks = list(self.blocks)
        for block in blocks:
            scores = np.asarray((block.matrix @ query).todense()).ravel()
            keep = (scores >= threshold) & (block.times >= start)
            if other_than_reporter is not None:
                keep &= block.reporters != other_than_reporter
            if only_reporter is not None:
                keep &= block.reporters == only_reporter
            found = np.flatnonzero(keep)
            # the best of this block only (ties: the later ticket first), as Python objects
            found = found[np.lexsort((-block.ids[found], -scores[found]))][: limit + len(exclude)]
            for i in found:
                ticket_id = int(block.ids[i])
                if ticket_id not in exclude:
                    hits.append(Hit(ticket_id, int(block.reporters[i]), float(scores[i])))
        hits.sort(key=lambda h: (-h.score, -h.ticket_id))
        return hits[:limit]

    def mean_score(self, text: str, ticket_ids: Sequence[int]) -> float | None:
        """The mean similarity of ``text`` to those of ``ticket_ids`` that are indexed (None
        if none is): how alike it reads to a group as a whole, not only to its best match."""
        import numpy as np

        wanted = np.array(sorted(set(ticket_ids)), dtype=np.int64)
        query = self.rep.vectors([text]).T.tocsc()
        total, count = 0.0, 0
        with self.lock:
            blocks = list(self.blocks)
        for block in blocks:
            rows = np.isin(block.ids, wanted)
            if rows.any():
                scores = np.asarray((block.matrix @ query).todense()).ravel()
                total += float(scores[rows].sum())
                count += int(rows.sum())
        return total / count if count else None


_indexes_lock = threading.Lock()
_indexes: weakref.WeakKeyDictionary[Engine, SimilarIndex] = weakref.WeakKeyDictionary()


def _window(settings: Settings) -> timedelta:
    return timedelta(days=settings.common.window_days)


def build(*, engine: Engine, settings: Settings, now: datetime) -> SimilarIndex:
    """A new index of this database's recent tickets (the start job, in a worker thread)."""
    from storage.db import transaction

    with transaction(engine) as session:
        index = _build(session, settings, now)
    with _indexes_lock:
        _indexes[engine] = index
    log.info("similar tickets: %d recent tickets indexed (%s)", len(index), index.rep.origin)
    return index


def _build(
    session: Session, settings: Settings, now: datetime, below_id: int | None = None
) -> SimilarIndex:
    index = SimilarIndex(representation(session=session, settings=settings), _window(settings))
    rows = queries.common_groups.indexable_tickets(
        session=session, since=now - index.window, below_id=below_id
    )
    index.add(rows)
    return index


def index_for(
    *, session: Session, settings: Settings, now: datetime, below_id: int | None = None
) -> SimilarIndex:
    """This database's index, brought up to date with what other turns and instances filed
    (built here if the start job has not built it yet). ``below_id``: the ticket this turn
    is filing, not committed yet and so not indexed (its id could be taken again if the
    turn rolls back)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with _indexes_lock:
        index = _indexes.get(engine)
    if index is None:
        index = _build(session, settings, now, below_id)
        with _indexes_lock:
            index = _indexes.setdefault(engine, index)
    refresh(index, session=session, now=now, below_id=below_id)
    return index


def refresh(
    index: SimilarIndex, *, session: Session, now: datetime, below_id: int | None = None
) -> None:
    """Add the tickets filed since the last refresh; forget those outside the window."""
    rows = queries.common_groups.indexable_tickets(
        session=session,
        since=now - index.window,
        after_id=max(0, index.last_id - LOOK_BACK),
        below_id=below_id,
    )
    index.add(rows)
    oldest = now - index.window - timedelta(days=1)  # a day's slack: pruning costs a copy
    if index.blocks and float(min(b.times.min() for b in index.blocks)) < oldest.timestamp():
        index.prune(now - index.window)


def forget(engine: Engine) -> None:
    """Drop this database's index (the next search builds it anew)."""
    with _indexes_lock:
        _indexes.pop(engine, None)
