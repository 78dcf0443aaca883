"""Parsing the files ``claimtrack import`` reads into ``ClaimIn`` records.

Pure functions: nothing here touches the ledger.  The import service stores
the records (dedup by ``import_key``, flags, one transaction).

Formats (``FORMATS``): fatebook, predictionbook, metaculus-csv,
metaculus-api, manifold, csv (generic, with ``mapping``), notes.  Each
module's docstring lists its decisions.

What is fatal and what is skipped, for every format:

* Fatal (:class:`InvalidInput`, one line naming the file, the place and what
  was expected): unreadable, larger than ``CLAIMTRACK_IMPORT_MAX_BYTES`` (after
  decompression; see ``_base.read_bytes``), empty, binary (NUL bytes), mostly
  not UTF-8 or not UTF-8 on its first line (UTF-8 with a BOM is fine; gzip is
  unpacked whatever the name), truncated or invalid
  JSON, JSON of the wrong shape or with fields of the wrong JSON type, a CSV
  whose header is not the format's (or, for generic CSV, has no claim text or
  date column), a bad ``mapping``.
* Skipped (a :class:`Skipped` entry with location and reason, the rest of the
  file imported): one row, prediction, market or question whose *values* are
  bad: a probability outside 0-1 (or 0-100), a date that is not a date or
  lies outside 1900-8999, an unknown outcome, empty or over-long text, bytes
  that are not UTF-8, a non-binary question.  A skipped row adds nothing of
  itself; domain.import_checks then skips, whole, each claim that the ledger
  or the CLI would refuse (future dates, a forecast before its claim, ...).
* A CSV with a header and no rows parses to no claims (not an error).

Every claim, forecast and resolution carries a deterministic ``import_key``
(format prefix + truncated sha256 of the record's identifying fields), so a
second import of the same file adds nothing.  ``forecaster`` renames the
file owner's forecasts (see each format); ``tags`` are added to every claim.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from claimtrack.domain.errors import InvalidInput
from claimtrack.importers import (
    fatebook, generic_csv, manifold, metaculus_api, metaculus_csv, notes, predictionbook,
)
from claimtrack.importers._base import (
    ZIP_MAGIC, Options, ParseResult, Skipped, Utf8Pieces, decode_pieces, invalid, load_json, read_bytes,
)
from claimtrack.importers._csv import read_rows
from claimtrack.importers.generic_csv import parse_mapping

__all__ = ["FORMATS", "ParseResult", "Skipped", "detect_format", "parse_file", "parse_mapping"]

Parser = Callable[[Path, bytes, Options], ParseResult]

FORMATS: dict[str, Parser] = {
    "fatebook": fatebook.parse,
    "predictionbook": predictionbook.parse,
    "metaculus-csv": metaculus_csv.parse,
    "metaculus-api": metaculus_api.parse,
    "manifold": manifold.parse,
    "csv": generic_csv.parse,
    "notes": notes.parse,
}
NOTES_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".org", ".rst")
CSV_SUFFIXES = (".csv", ".tsv")


def _accepted() -> str:
    return ", ".join(FORMATS)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def _detect(path: Path, data: bytes) -> str:
    suffix = _suffix(path)
    if data.startswith(ZIP_MAGIC):
        if suffix == ".zip" or b"question_data.csv" in data:
            return "metaculus-csv"
        raise invalid(path, None, f"is a zip archive that is not a Metaculus export: unzip it and import the file "
                                  f"inside (formats: {_accepted()})")
    text = decode_pieces(path, data)  # (a big file's text is never held whole here)
    if isinstance(text, Utf8Pieces):
        head = text.prefix(1024).lstrip()[:1] or next((p.lstrip()[:1] for p in text.pieces() if p.strip()), "")
        text = text.prefix(65536)
    else:
        head = text[:1024].lstrip()[:1] or text.lstrip()[:1]  # (without copying a big file's text)
    if suffix == ".json" or (suffix not in CSV_SUFFIXES + NOTES_SUFFIXES and head in ("{", "[")):
        doc = load_json(path, data)
        for name, module in (("predictionbook", predictionbook), ("metaculus-api", metaculus_api),
                             ("manifold", manifold)):
            if module.looks_like(doc):
                return name
        raise invalid(path, "top level", "JSON is not a PredictionBook, Metaculus or Manifold export: "
                                         f"use --from with one of {_accepted()}")
    if suffix in NOTES_SUFFIXES:
        return "notes"
    header, _ = read_rows(path, text[:65536] if len(text) > 65536 else text)
    if fatebook.looks_like(header):
        return "fatebook"
    if metaculus_csv.looks_like(header):
        return "metaculus-csv"
    if generic_csv.has_default_columns(header):
        return "csv"
    shown = ", ".join(header[:8]) or "(none)"
    raise invalid(path, "row 1", f"cannot tell the format from the columns {shown}: use --from with one of "
                                 f"{_accepted()} (for csv, name columns with --map statement=COLUMN,...)")


def detect_format(path: Path) -> str:
    """The format name of ``path``, by extension and content; InvalidInput when unsure."""
    path = Path(path)
    return _detect(path, read_bytes(path))


def parse_file(
    path: Path,
    fmt: str | None = None,
    *,
    forecaster: str | None = None,
    tags: Sequence[str] = (),
    mapping: Mapping[str, str] | None = None,
    default_forecaster: str = "me",
) -> ParseResult:
    """Parse ``path`` (format detected when ``fmt`` is None) into claims and skipped entries."""
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"unknown import format '{fmt}': use one of {_accepted()}")
    if mapping and fmt not in (None, "csv"):
        raise InvalidInput(f"a column mapping only applies to the csv format, not '{fmt}'")
    data = read_bytes(path)
    fmt = fmt or ("csv" if mapping else _detect(path, data))
    opts = Options(
        forecaster=(forecaster or "").strip() or None,
        tags=tuple(t for t in tags if t and t.strip()),
        mapping=dict(mapping) if mapping else None,
        default_forecaster=(default_forecaster or "me").strip() or "me",
    )
    try:
        return FORMATS[fmt](path, data, opts)
    except RecursionError:
        raise invalid(path, None, f"nested too deeply to read: expected a {fmt} export") from None
