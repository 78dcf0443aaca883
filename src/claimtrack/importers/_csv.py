"""Reading CSV text into a header and numbered rows.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
record row 2 (a record with embedded newlines is still one row).  Fields may
hold newlines, quotes and text like ``=HYPERLINK(...)``; nothing is evaluated
or stripped.  The delimiter is ``,`` unless the header line has more ``;`` or
tabs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from claimtrack.importers._base import Utf8Pieces, invalid

MAX_FIELD = 64 * 1024 * 1024  # one field may be huge; the whole file is in memory anyway


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


PIECE = 1 << 20  # characters of text handed to one StringIO at a time


def _lines(text: str | Utf8Pieces) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` yields them
    (ending in \\n, \\r\\n or \\r, kept), read a piece of about ``PIECE``
    characters at a time: a StringIO holds four bytes a character, so one
    over a whole big file would take four times its size.  Each piece ends
    just after a ``\\n``, which always ends a line, so the lines are the same.
    A :class:`Utf8Pieces` is decoded a piece at a time as well."""
    if isinstance(text, Utf8Pieces):
        for piece in text.pieces():
            yield from io.StringIO(piece, newline="")
        return
    start, size = 0, len(text)
    while start < size:
        cut = text.find("\n", start + PIECE) + 1 or size
        yield from io.StringIO(text[start:cut], newline="")
        start = cut


def _reader(text: str | Utf8Pieces):
    """A csv reader over ``text`` with the delimiter its first line uses (fields up to MAX_FIELD)."""
    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)
    if isinstance(text, Utf8Pieces):
        first_line = text.first_line()
    else:
        first_line = text[:text.find("\n")] if "\n" in text else text
    return csv.reader(_lines(text), delimiter=_delimiter(first_line))


def _records(path: Path, text: str | Utf8Pieces) -> Iterator[tuple[int, list[str]]]:
    """``(row_number, fields)`` of each non-blank row, the header (row 1) first."""
    reader = _reader(text)
    n = 0
    try:
        for fields in reader:
            if not fields or not "".join(fields).strip():
                continue
            n += 1
            yield n, fields
    except csv.Error as exc:
        raise invalid(path, f"line {reader.line_num}", f"broken CSV ({exc}): expected comma-separated rows") from None


def column_values(path: Path, text: str | Utf8Pieces, index: int) -> Iterator[str]:
    """Field ``index`` of every row after the header that has one: what
    ``(r[index] for _, r in stream_rows(path, text)[1] if index < len(r))``
    gives, without a generator and a numbered tuple per row in between."""
    reader = _reader(text)
    seen_header = False
    try:
        for fields in reader:
            if not seen_header:
                seen_header = bool(fields) and bool("".join(fields).strip())
                continue
            if index < len(fields):
                value = fields[index]
                if value.strip() or "".join(fields).strip():  # (a blank row is left out, as by _records)
                    yield value
    except csv.Error as exc:
        raise invalid(path, f"line {reader.line_num}", f"broken CSV ({exc}): expected comma-separated rows") from None


def stream_rows(path: Path, text: str | Utf8Pieces) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """``(header, rows)`` as :func:`read_rows` gives them, the rows read one at
    a time as the iterator is consumed (a big file's rows never sit in memory
    together)."""
    records = _records(path, text)
    first = next(records, None)
    if first is None:
        raise invalid(path, None, "has no header row: expected a CSV file whose first row names the columns")
    return [h.strip() for h in first[1]], records


def read_rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """``(header, [(row_number, fields), ...])``; blank rows are dropped."""
    header, records = stream_rows(path, text)
    return header, list(records)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PAREN = re.compile(r"\([^)]*\)")


def norm_header(name: str) -> str:
    """``'Forecast (scale = 0-1)'`` -> ``'forecast'``, ``'questionTitle'`` -> ``'question_title'``."""
    name = _PAREN.sub(" ", _CAMEL.sub("_", name.strip()))
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))
