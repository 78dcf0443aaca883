"""Plain rows for the commands that read a whole ledger (report, export,
verify): tuples straight from the query layer, no ORM objects, and the
stored SQLite timestamp text turned into the text the output needs without
building a datetime.

On SQLite, a UTC timestamp is stored by SQLAlchemy as the text
``YYYY-MM-DD HH:MM:SS.ffffff`` (naive UTC, always six fraction digits).
:func:`stored_time` reads any stored value back exactly as the column type
would (an aware UTC datetime).  :func:`sqlite_time_text` has SQLite turn the
usual 26-character form into ISO text (or the hash chain's canonical text)
and flags anything else for Python; :func:`iso_from_stored` and
:func:`chain_from_stored` are the same rule in Python (the tests hold the
two to it, and to formatting the parsed datetime).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, String, and_, case, func, literal_column, select, type_coerce

from claimtrack.db.types import UTCDateTime

_parse: Callable[[str], datetime] | None = None


def stored_time(text: str) -> datetime:
    """A stored SQLite timestamp as the column type reads it (aware UTC)."""
    global _parse
    if _parse is None:
        from sqlalchemy.dialects import sqlite

        dialect = sqlite.dialect()
        processor = sqlite.DATETIME().result_processor(dialect, None)
        decorator = UTCDateTime()
        _parse = lambda value: decorator.process_result_value(processor(value), dialect)  # noqa: E731
    return _parse(text)


def _is_plain(text: str) -> bool:
    """The usual stored form (SQLite's GLOB check in sqlite_time_text is the same test)."""
    return len(text) == 26 and text[4] == text[7] == "-" and text[10] == " " and text[13] == text[16] == ":" \
        and text[19] == "."


def iso_from_stored(text: str | None) -> str | None:
    """``datetime.isoformat()`` of a stored timestamp, ``+00:00`` written ``Z``
    (no fraction when the microseconds are zero, as isoformat does)."""
    if text is None:
        return None
    if _is_plain(text):
        if text.endswith("000000"):
            return f"{text[:10]}T{text[11:19]}Z"
        return f"{text[:10]}T{text[11:]}Z"
    return iso(stored_time(text))


def chain_from_stored(text: str | None) -> Any:
    """A stored timestamp as the hash chain canonicalises it: the text
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` for the usual form, else the datetime
    (which the chain formats itself)."""
    if text is None:
        return None
    if _is_plain(text):
        return f"{text[:10]}T{text[11:]}Z"
    return stored_time(text)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def is_time(column) -> bool:
    return isinstance(column.type, UTCDateTime)


def is_bool(column) -> bool:
    return isinstance(column.type, Boolean)


_PLAIN_GLOB = "'????-??-?? ??:??:??.??????'"  # the usual stored form, as a GLOB pattern


def sqlite_time_text(column, *, chain: bool = False, flag: int = 1) -> tuple:
    """On SQLite, the text :func:`iso_from_stored` (or, with ``chain``,
    :func:`chain_from_stored`) makes of a stored timestamp, computed by
    SQLite itself, and ``flag`` (else 0) on the rows where it could not: a
    stored text not in the usual 26-character form is passed through as
    stored, flagged, for Python to read as the column type would.

    The usual form has its one space where the ``T`` goes, so replacing
    spaces is the slicing :func:`chain_from_stored` does (and, dropping an
    all-zero fraction, :func:`iso_from_stored`): one GLOB and a replace()
    cost SQLite less than the substr() calls, and far less than a Python
    call per value.
    """
    raw = type_coerce(column, String)
    plain = raw.op("GLOB")(literal_column(_PLAIN_GLOB))
    body = raw if chain else func.replace(raw, literal_column("'.000000'"), literal_column("''"), type_=String)
    text = case((plain, func.replace(body, literal_column("' '"), literal_column("'T'"), type_=String)
                 + literal_column("'Z'")), else_=raw)
    odd = case((and_(raw.is_not(None), plain == literal_column("0")), literal_column(str(flag))),
               else_=literal_column("0"))
    return text, odd


def raw_readable(column) -> bool:
    """Whether the stored SQLite value of ``column`` is what its type reads,
    once timestamps and booleans are converted as this module does: text,
    integers and floats.  A column of any other type (an Enum, JSON,
    Numeric) is read through its type instead (``plain_rows(processed=True)``)."""
    from sqlalchemy import Enum, Float, Integer

    t = column.type
    if isinstance(t, (UTCDateTime, Boolean)):
        return True
    if isinstance(t, Enum):
        return False
    if isinstance(t, Float):
        return not t.asdecimal
    return isinstance(t, (String, Integer))


def plain_rows(conn, query, chunk: int, *, processed: bool = False) -> Iterator[list[tuple]]:
    """The query's rows in lists of up to ``chunk`` plain tuples.

    SQLite: read from the DBAPI cursor itself (SQLAlchemy's default fetch
    strategy there buffers nothing), which skips building a Row object per
    row and every result processor: values come as stored (timestamps as
    text, booleans as 0/1).  Other engines: a server-side cursor
    (``yield_per``), whose Rows index like tuples, values processed by their
    column types; the same on SQLite with ``processed``.
    """
    if processed or conn.dialect.name != "sqlite":
        result = conn.execute(query, execution_options={"yield_per": chunk})
        yield from result.partitions()
        return
    result = conn.execute(query)
    try:
        fetch = result.cursor.fetchmany
        while rows := fetch(chunk):
            yield rows
    finally:
        result.close()


def in_ids(column, ids: list[int], dialect: str):
    """``column IN ids``; on SQLite the ids go as one JSON array parameter
    (``json_each``): no bind parameter per id to build, and no limit on how many."""
    if dialect == "sqlite":
        array = "[" + ",".join("%d" % i for i in ids) + "]"
        return column.in_(select(func.json_each(array).table_valued("value").c.value))
    return column.in_(ids)
