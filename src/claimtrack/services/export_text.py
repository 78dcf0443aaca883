"""How the export turns plain rows into what it writes.

:class:`Reader` selects a record's columns and converts, in Python, only the
values SQLite could not prepare (see its doc).  On SQLite, :class:`JsonText`
has SQLite write a whole child record (a forecast, resolution or edit) as
the text the json module would write for it, floats excepted (Python's
``repr``, spliced in between text segments); a row SQLite flags goes
through :class:`Reader` and the json module instead.  (The same for the
CSV, SQLite quoting cells as the csv module does, saved under 10%: the CSV
is written by the csv module from :class:`Reader` rows.)  Every rule here is held byte for byte to the ORM export it
replaced by tests/test_export_streaming.py.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, case, func, literal_column, null

from claimtrack.services.rows import is_bool, is_time, iso, plain_rows, raw_readable, sqlite_time_text, stored_time

GUARD_FIRST = ("=", "+", "-", "@", "\t", "\r", "'")  # a cell csvsafe.guard may change starts with one of these


class Reader:
    """The columns read for one kind of record, and how a row becomes the values written.

    A row is ``(*values in fields order, *extra, mask, NULL)``.  SQLite does
    the usual work itself (timestamps to ISO text; in the CSV, spotting the
    cells the formula guard may change) and sets bit ``i`` of ``mask`` when
    value ``i`` still needs Python: a timestamp stored in an unusual form, a
    boolean (0/1 on SQLite), a cell to guard.  Elsewhere every such value goes
    through Python.  Rows whose mask is 0, nearly all of them, are used as
    they come: no per-row Python work.
    """

    def __init__(self, table, fields: tuple[str, ...], dialect: str, *, csv: bool, extra=()) -> None:
        from claimtrack.domain.csvsafe import guard

        cols = [table.c[name] for name in fields]
        # raw SQLite values where every column allows it; else values read through the column types
        self.raw = dialect == "sqlite" and all(raw_readable(col) for col in cols)
        sqlite = self.raw
        exprs, flags, self.convert = [], [], {}
        constant = 0
        for i, name in enumerate(fields):
            col, bit = table.c[name], 1 << i
            expr, convert, flag = col, None, None
            if is_time(col):
                if sqlite:
                    expr, flag = sqlite_time_text(col, flag=bit)
                    convert = lambda v: iso(stored_time(v))  # noqa: E731
                else:
                    convert, constant = iso, constant | bit
            elif is_bool(col) and sqlite:
                convert, constant = (lambda v: None if v is None else bool(v)), constant | bit
            elif csv and isinstance(col.type, Float):
                convert = lambda v: None if v is None else guard(repr(v))  # noqa: E731
                flag = case((col < 0, literal_column(str(bit))), else_=literal_column("0")) if sqlite else None
                constant |= 0 if sqlite else bit
            elif csv and isinstance(col.type, String):
                convert = guard
                if sqlite:
                    first = func.substr(col, 1, 1)
                    flag = case((first.in_(GUARD_FIRST), literal_column(str(bit))), else_=literal_column("0"))
                else:
                    constant |= bit
            exprs.append(expr)
            if flag is not None:
                flags.append(flag)
            if convert is not None:
                self.convert[i] = convert
        mask = literal_column(str(constant))
        for flag in flags:
            mask = mask + flag
        self.columns = [*exprs, *extra, mask, null()]
        self.mask_at = len(exprs) + len(extra)
        self.blank_at = self.mask_at + 1

    def fix(self, row) -> list:
        values = list(row)
        mask = values[self.mask_at]
        for i, convert in self.convert.items():
            if mask >> i & 1 and values[i] is not None:
                values[i] = convert(values[i])
        return values

    def rows(self, conn, query, chunk: int):
        at, fix = self.mask_at, self.fix
        for rows in plain_rows(conn, query, chunk, processed=not self.raw):
            for row in rows:
                yield fix(row) if row[at] else row


class NoSqlForm(Exception):
    """A column type SQLite cannot write as JSON text here."""


def lit(text: str):
    return literal_column("'" + text.replace("'", "''") + "'", String)


class JsonText:
    """On SQLite, SQLite writes a child record's JSON text, exactly
    ``json.dumps(record, ensure_ascii=False)``: keys, ``json_quote`` for
    text and integers (its escaping is the json module's), ISO timestamps,
    true/false.  Floats are left to Python (``repr``): the text comes in
    segments around them.  A row whose timestamp is stored in an unusual
    form is flagged and written by Python from the values the column
    types read."""

    def __init__(self, table, fields: tuple[str, ...], keys=None) -> None:
        import json

        key = json.JSONEncoder(ensure_ascii=False).encode
        parts: list = []  # segment, float column, segment, ..., segment
        segment = None
        odd = literal_column("0")
        for i, name in enumerate(fields):
            col = table.c[name]
            if not raw_readable(col):
                raise NoSqlForm(name)
            pieces = [lit(("{" if i == 0 else ", ") + key(name) + ": ")]
            if is_time(col):
                # ISO text is digits and punctuation: quoted as it is (an unusual stored form is
                # flagged, and its row written by Python)
                text, flag = sqlite_time_text(col)
                pieces.append(case((col.is_(None), lit("null")), else_=lit('"') + text + lit('"')))
                odd = odd + flag
            elif is_bool(col):
                pieces.append(case((col.is_(None), lit("null")), (col != literal_column("0"), lit("true")),
                                   else_=lit("false")))
            elif isinstance(col.type, Float):
                pieces.append(None)
            elif isinstance(col.type, (String, Integer)):
                pieces.append(func.json_quote(col, type_=String))
            else:
                raise NoSqlForm(name)
            for piece in pieces:
                if piece is None:  # a float: close the segment, the value goes between
                    parts += [segment, col]
                    segment = None
                else:
                    segment = piece if segment is None else segment + piece
        parts.append(lit("}") if segment is None else segment + lit("}"))
        self.columns = [*parts, odd, *((table.c.claim_id, table.c.id) if keys is None else keys)]
        self.n_parts = len(parts)

    def text(self, row) -> str:
        if self.n_parts == 1:
            return row[0]
        if self.n_parts == 3:
            return row[0] + float_json(row[1]) + row[2]
        out = [row[0]]
        for k in range(1, self.n_parts, 2):
            out += [float_json(row[k]), row[k + 1]]
        return "".join(out)




def float_json(value) -> str:
    """A float as json.dumps writes it."""
    if value is None:
        return "null"
    if value - value == 0:  # finite
        return float.__repr__(value)
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
