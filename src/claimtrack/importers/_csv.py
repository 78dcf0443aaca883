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
from pathlib import Path

from claimtrack.importers._base import invalid

MAX_FIELD = 64 * 1024 * 1024  # one field may be huge; the whole file is in memory anyway


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def read_rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """``(header, [(row_number, fields), ...])``; blank rows are dropped."""
    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    n = 0
    try:
        for fields in reader:
            if not fields or not "".join(fields).strip():
                continue
            n += 1
            if header is None:
                header = [h.strip() for h in fields]
                continue
            rows.append((n, fields))
    except csv.Error as exc:
        raise invalid(path, f"line {reader.line_num}", f"broken CSV ({exc}): expected comma-separated rows") from None
    if header is None:
        raise invalid(path, None, "has no header row: expected a CSV file whose first row names the columns")
    return header, rows


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PAREN = re.compile(r"\([^)]*\)")


def norm_header(name: str) -> str:
    """``'Forecast (scale = 0-1)'`` -> ``'forecast'``, ``'questionTitle'`` -> ``'question_title'``."""
    name = _PAREN.sub(" ", _CAMEL.sub("_", name.strip()))
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))
