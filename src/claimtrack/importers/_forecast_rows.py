"""A claim's forecasts from a big file, held as compact rows until read.

A generic CSV interleaves its claims row by row (the ACX file's 50
questions take turns for 150,720 rows), so a claim's forecasts are only
complete once the whole file has been read.  Holding a ``ForecastIn`` and
its import key per row for that long took about 60 MB for the ACX file.
:class:`ForecastRows` keeps a few array entries per forecast instead:
numbers into tables of the distinct forecaster names, probabilities and
dates that all the file's claims share (:class:`Values`), and builds each
``ForecastIn``, import key included, when it is iterated.  No small object
is kept per row, so the memory of the rows read meanwhile goes back to
the system (a kept tuple per row would pin the heap it sits in).  Every
iteration gives equal records (same order, same keys).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from datetime import datetime

from claimtrack.domain.records import ForecastIn
from claimtrack.importers._base import KEY_SEP, KeyRegistry, key_of_joined


class Values:
    """The distinct values of one file's forecasts, each stored once:
    forecaster names, probabilities (with the text a key uses for them),
    dates (with their ISO text) and recorded dates."""

    __slots__ = ("names", "probs", "made", "recorded", "_index")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.probs: list[tuple[float, str]] = []
        self.made: list[tuple[datetime, str]] = []
        self.recorded: list[datetime] = []
        self._index: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})

    @staticmethod
    def _number(table: list, index: dict, key, value) -> int:
        n = index.get(key)
        if n is None:
            n = index[key] = len(table)
            table.append(value)
        return n


class ForecastRows(Sequence):
    """The forecasts of one claim of a generic CSV, in file order, as
    ``ForecastIn`` records built on each iteration."""

    __slots__ = ("claim_key", "values", "who", "prob", "made", "recorded", "rationales")
    without_uuid = True  # (no row of a CSV names a forecast uuid: the import service counts with it)
    # every import key differs from every other of the parse: within a claim
    # by its KeyRegistry, between claims by the claim's own (unique) key in it
    keys_unique = True

    def __init__(self, claim_key: str, values: Values) -> None:
        self.claim_key, self.values = claim_key, values
        self.who, self.prob, self.made, self.recorded = array("I"), array("I"), array("I"), array("I")
        self.rationales: dict[int, str] = {}  # row -> its (clipped) rationale, for the rows that have one

    def add(self, forecaster: str, p: float, p_repr: str, made: datetime, made_iso: str, recorded: datetime,
            rationale: str | None) -> None:
        v = self.values
        names, probs, dates, recorded_at = v._index
        if rationale is not None:
            self.rationales[len(self.who)] = rationale
        n = names.get(forecaster)
        self.who.append(Values._number(v.names, names, forecaster, forecaster) if n is None else n)
        # (keyed by the key's text: 0.0 and -0.0 are equal floats with different texts)
        n = probs.get(p_repr)
        self.prob.append(Values._number(v.probs, probs, p_repr, (p, p_repr)) if n is None else n)
        n = dates.get(made_iso)
        self.made.append(Values._number(v.made, dates, made_iso, (made, made_iso)) if n is None else n)
        n = recorded_at.get(recorded)
        self.recorded.append(Values._number(v.recorded, recorded_at, recorded, recorded) if n is None else n)

    def __len__(self) -> int:
        return len(self.who)

    def __iter__(self) -> Iterator[ForecastIn]:
        unique = KeyRegistry().unique  # a claim's keys never meet another claim's
        v, rationales = self.values, self.rationales
        names, probs, dates, recorded_at = v.names, v.probs, v.made, v.recorded
        # make_key("csv", claim_key, forecaster, when, p_repr) of str parts, joined here
        head = (self.claim_key if self.claim_key is not None else "") + KEY_SEP
        for i, (w, p, m, r) in enumerate(zip(self.who, self.prob, self.made, self.recorded)):
            forecaster = names[w]
            p, p_repr = probs[p]
            made, when = dates[m]
            yield ForecastIn(
                forecaster=forecaster,
                probability=p,
                made_at=made,
                recorded_at=recorded_at[r],
                rationale=rationales.get(i) if rationales else None,
                import_key=unique(key_of_joined("csv", head + forecaster + KEY_SEP + when + KEY_SEP + p_repr)),
            )

    def without_keys(self) -> Iterator[ForecastIn]:
        """The records as iterating gives them but with no import key (None),
        for checks that pass every key this class makes (``csv:`` and 24 hex
        digits, perhaps ``~2``...: short, no NUL): the key's sha256 is then
        not computed twice."""
        v, rationales = self.values, self.rationales
        names, probs, dates, recorded_at = v.names, v.probs, v.made, v.recorded
        for i, (w, p, m, r) in enumerate(zip(self.who, self.prob, self.made, self.recorded)):
            yield ForecastIn(
                forecaster=names[w],
                probability=probs[p][0],
                made_at=dates[m][0],
                recorded_at=recorded_at[r],
                rationale=rationales.get(i) if rationales else None,
            )

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("forecast index out of range")
        for i, f in enumerate(self):
            if i == index:
                return f

    def __eq__(self, other) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"ForecastRows({len(self)} forecasts)"
