"""Shared pieces of the format parsers: results, options, file reading, keys.

Every parser is a pure function ``parse(path, data, opts) -> ParseResult``
that gets the file's bytes (already un-gzipped) and never touches the ledger.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from claimtrack.domain import validate
from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import ClaimIn
from claimtrack.domain.text import has_surrogate, visible_name

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
KEY_HASH_CHARS = 24  # 96 bits of sha256: collisions are not a practical concern


@dataclass(frozen=True)
class Skipped:
    location: str  # "row 17" / "line 42" / "prediction 123"
    reason: str


@dataclass
class ParseResult:
    format: str
    claims: list[ClaimIn] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def n_forecasts(self) -> int:
        return sum(len(c.forecasts) for c in self.claims)


@dataclass(frozen=True)
class Options:
    forecaster: str | None = None  # replaces the file owner's name
    tags: tuple[str, ...] = ()
    mapping: dict[str, str] | None = None  # generic csv only
    default_forecaster: str = "me"


# ------------------------------------------------------------------ errors


def invalid(path: Path, location: str | None, problem: str) -> InvalidInput:
    """One-line error naming the file, where in it, and what was expected."""
    where = f"{path.name}: {location}: " if location else f"{path.name}: "
    return InvalidInput(" ".join((where + problem).split()))


def short(value: object, limit: int = 40) -> str:
    """``repr``-like quoting of a value, cut to ``limit`` characters."""
    text = str(value)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{text}'"


# ------------------------------------------------------------ reading files


MAX_BYTES_ENV = "CLAIMTRACK_IMPORT_MAX_BYTES"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024
MAX_RATIO = 100  # decompressed / compressed size, beyond MIN_RATIO_BYTES
MIN_RATIO_BYTES = 16 * 1024 * 1024


def max_bytes() -> int:
    """The most bytes an import reads from one file, after decompression:
    ``$CLAIMTRACK_IMPORT_MAX_BYTES`` (a number of bytes, or with a K, M or G
    suffix), else 512 MB."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    scale = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}.get(raw[-1].lower(), 1)
    digits = raw[:-1] if scale > 1 else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 15 or int(digits) == 0:
        raise InvalidInput(f"invalid {MAX_BYTES_ENV} {raw[:40]!r}: use a positive number of bytes, e.g. 512M or 2G")
    return int(digits) * scale


def _too_big(path: Path, limit: int, what: str) -> InvalidInput:
    return invalid(path, None, f"{what} is larger than the import limit of {limit:,} bytes: "
                               f"split the file or raise {MAX_BYTES_ENV}")


def bounded_read(stream, path: Path, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes from a binary stream; InvalidInput when there are more."""
    try:  # a file is read in one piece of its size, not copied again by a join
        size = os.fstat(stream.fileno()).st_size + 1
    except (AttributeError, OSError, ValueError):  # (io.UnsupportedOperation is both of the last two)
        size = _CHUNK
    parts, total = [], 0
    while True:
        chunk = stream.read(min(size, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise _too_big(path, limit, what)
        size = _CHUNK
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when they are gzip data (whatever the name).

    Bounded: neither the file nor what it decompresses to may exceed
    :func:`max_bytes`; decompression is streamed and stops at the limit, so
    a small gzip bomb never takes more memory than the limit."""
    path = Path(path)
    limit = max_bytes()
    try:
        with path.open("rb") as fh:
            data = bounded_read(fh, path, limit, "the file")
    except IsADirectoryError:
        raise invalid(path, None, "is a directory: expected an export file") from None
    except OSError as exc:
        raise invalid(path, None, f"cannot be read ({exc.strerror or exc}): expected a readable file") from None
    if data.startswith(GZIP_MAGIC):
        import io

        # real exports compress 5-30 times; far more than MAX_RATIO is a bomb
        ratio_limit = max(MIN_RATIO_BYTES, MAX_RATIO * len(data))
        what = "the decompressed data"
        if ratio_limit < limit and not os.environ.get(MAX_BYTES_ENV, "").strip():  # an explicit limit rules
            limit, what = ratio_limit, f"the decompressed data (over {MAX_RATIO} times the file's size)"
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = bounded_read(gz, path, limit, what)
        except (EOFError, OSError, zlib.error):
            raise invalid(path, None, "truncated or corrupt gzip data: expected a complete .gz file") from None
    return data


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); other encodings and binary data are refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise invalid(path, None, "is UTF-16 text: expected UTF-8 (re-save the file as UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():  # (not data.strip(), which copies the file)
        raise invalid(path, None, "is empty: expected an export file with records")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise invalid(path, f"line {line}", "contains a NUL byte (binary data?): expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc
    # A few records with bytes that are not UTF-8: each of them is skipped,
    # named, by the record checks (the bytes are kept as lone surrogates,
    # which no check lets through).  A file that is mostly not UTF-8, or
    # whose first line is not, is refused whole.
    text = data.decode("utf-8", "surrogateescape")
    lines = [line for line in text.split("\n") if line.strip()]
    bad = sum(1 for line in lines if has_surrogate(line))
    line = data.count(b"\n", 0, first_bad.start) + 1
    if line == 1 or bad * 2 > len(lines):
        byte = data[first_bad.start]
        raise invalid(
            path, f"line {line}",
            f"byte 0x{byte:02x} is not UTF-8: expected UTF-8 text (re-save a latin-1 or Windows-1252 file as UTF-8)",
        )
    return text


PIECE_BYTES = 1 << 20  # bytes decoded at a time by Utf8Pieces


class Utf8Pieces:
    """A file's UTF-8 text, decoded a piece of about ``PIECE_BYTES`` at a time
    (each piece ends just after a ``\\n`` byte, which never falls inside a
    multi-byte character), so the whole text never sits in memory beside the
    bytes (a str of a file with one character past U+00FF takes two or four
    bytes a character).  Made only by :func:`decode_pieces` for bytes that
    are valid UTF-8 throughout: every piece decodes exactly as its part of
    ``data.decode("utf-8")`` would."""

    __slots__ = ("data", "start")

    def __init__(self, data: bytes, start: int) -> None:
        self.data, self.start = data, start

    def pieces(self):
        data, start, size = self.data, self.start, len(self.data)
        view = memoryview(data)
        while start < size:
            cut = data.find(b"\n", start + PIECE_BYTES) + 1 or size
            yield str(view[start:cut], "utf-8")
            start = cut

    def first_line(self) -> str:
        data, start = self.data, self.start
        end = data.find(b"\n", start)
        return str(memoryview(data)[start:end if end >= 0 else len(data)], "utf-8")

    def prefix(self, n: int) -> str:
        """The first ``n`` characters (or all of the text)."""
        data, start = self.data, self.start
        if len(data) - start > 4 * n:  # (n characters take at most 4n bytes; a cut one is dropped)
            return str(memoryview(data)[start:start + 4 * n], "utf-8", "ignore")[:n]
        return str(memoryview(data)[start:], "utf-8")[:n]


def decode_pieces(path: Path, data: bytes) -> str | Utf8Pieces:
    """What :func:`decode_text` gives, with the same refusals, but for bytes
    that are valid UTF-8 a :class:`Utf8Pieces` read a piece at a time instead
    of one str of the whole file; anything else (bytes that are not UTF-8
    somewhere) goes through :func:`decode_text` itself."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or not data or data.isspace() or b"\x00" in data:
        return decode_text(path, data)  # (its refusals)
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if start and (len(data) == start or data[start:].isspace()):
        return decode_text(path, data)
    source = Utf8Pieces(data, start)
    try:
        for _ in source.pieces():  # checked a piece at a time, each dropped at once
            pass
    except UnicodeDecodeError:
        return decode_text(path, data)
    return source


def load_json(path: Path, data: bytes) -> object:
    text = decode_text(path, data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid(
            path, f"line {exc.lineno} column {exc.colno}",
            f"invalid JSON ({exc.msg}): expected a complete JSON document (is the file truncated?)",
        ) from None
    except RecursionError:
        raise invalid(path, None, "JSON nested too deeply: expected an export document") from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4300-digit limit
        raise invalid(path, None, f"invalid JSON ({str(exc).split(';')[0]}): expected an export document") from None


# -------------------------------------------------------------------- keys


def make_key(prefix: str, *parts: object) -> str:
    """``prefix:`` + a truncated sha256 of the parts: the same input, the same key."""
    return key_of_joined(prefix, KEY_SEP.join([p if p.__class__ is str else "" if p is None
                                               else p.isoformat() if isinstance(p, datetime) else str(p)
                                               for p in parts]))


KEY_SEP = "\x1f"  # between the parts of a key's text


def key_of_joined(prefix: str, joined: str) -> str:
    """:func:`make_key` of parts already joined by ``KEY_SEP`` (a caller that builds the text itself)."""
    return f"{prefix}:{hashlib.sha256(joined.encode('utf-8', 'surrogatepass')).hexdigest()[:KEY_HASH_CHARS]}"


class KeyRegistry:
    """Makes keys unique within one parse: a repeat of an identical record gets ``~2``, ``~3``...

    Deterministic for the same file, so a re-import still matches.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._next: dict[str, int] = {}  # key -> the suffix to try next: linear on many identical rows

    def unique(self, key: str) -> str:
        if key not in self._seen:
            self._seen.add(key)
            return key
        n = self._next.get(key, 2)
        while f"{key}~{n}" in self._seen:
            n += 1
        self._next[key] = n + 1
        key = f"{key}~{n}"
        self._seen.add(key)
        return key


# ----------------------------------------------------------- field checks


def merge_tags(*groups: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        for tag in group:
            tag = (tag or "").strip()
            if tag and tag not in out:
                out.append(tag)
    return tuple(out)


def check_statement(text: str | None) -> str:
    """The statement, or ValueError with a reason (empty, too long, NUL)."""
    try:
        return validate.statement(text)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None


_NAME_CACHE: dict[str, str | None] = {}


def check_name(text: str | None, what: str) -> str | None:
    """A single-line name of at most 200 characters, or ValueError."""
    if text is None:
        return None
    hit = _NAME_CACHE.get(text)
    if hit is not None or text in _NAME_CACHE:
        return hit
    try:  # invisible characters are shown, not refused: the record is kept
        value = validate.name(visible_name(" ".join(text.split())), what)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None
    if len(_NAME_CACHE) < 100_000:
        _NAME_CACHE[text] = value
    return value


def clean_url(text: str | None) -> str | None:
    """An http(s) URL, or None when it is absent or not one (a bad URL is dropped)."""
    try:
        return validate.url(text)
    except InvalidInput:
        return None


def clip_text(text: str | None, limit: int = validate.MAX_TEXT) -> str | None:
    """Free text (details, rationale), cut to the ledger's limit and marked when cut."""
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    if not text:
        return None
    if len(text) > limit:
        text = text[: limit - 20].rstrip() + " ...[truncated]"
    return text
