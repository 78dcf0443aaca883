"""Every file claimtrack writes beside the ledger goes through here.

Exports, reports (and their charts), import reports and backups are written
the same way, so none of them can land on a ledger:

* a path that is, or links to, the ledger in use, its ``-wal``, ``-shm`` or
  ``-journal`` file, or any existing SQLite database (or one of its
  companions) is refused;
* a symbolic link, a folder, a device, a FIFO or a socket is never written
  through or replaced;
* the content goes to a temporary file created exclusively in the same folder
  (``O_CREAT | O_EXCL | O_NOFOLLOW``, mode 0600: outputs carry ledger data),
  is flushed to disk, and only then renamed over the final name.

Refusals are :class:`InvalidInput`: one line, exit status 2, nothing written.
"""

from __future__ import annotations

import errno
import os
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from claimtrack.domain.errors import Conflict, InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")
PRIVATE = 0o600
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def is_sqlite_file(path: Path) -> bool:
    """True for a regular file that starts with SQLite's 16-byte header."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return os.read(fd, len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False
    finally:
        os.close(fd)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _ledger_files(ledger: Path | None) -> list[Path]:
    if ledger is None:
        return []
    real = Path(os.path.realpath(ledger))
    return [real, *(real.with_name(real.name + s) for s in COMPANIONS)]


def _why_protected(final: Path, ledger: Path | None) -> str | None:
    """Why writing ``final`` (a real path, folders resolved) would hurt a database, if it would."""
    real = Path(os.path.realpath(final))  # follows a link in the last component too
    protected = _ledger_files(ledger)
    if real in protected or final in protected:
        return "it is the ledger in use" if real == protected[0] or final == protected[0] else \
            f"it is a file of the ledger in use ({protected[0].name})"
    ident = _identity(real)
    if ident is not None and any(_identity(p) == ident for p in protected):
        return "it is the ledger in use (the same file under another name)"
    if is_sqlite_file(real):
        return "it already exists as an SQLite database"
    for suffix in COMPANIONS:
        if real.name.endswith(suffix) and len(real.name) > len(suffix):
            base = real.with_name(real.name[: -len(suffix)])
            if is_sqlite_file(base):
                return f"it belongs to the SQLite database {base.name}"
    return None


def check_target(path: Path | str, *, ledger: Path | None) -> Path:
    """The absolute file name to write for ``path``, or InvalidInput saying why not.

    Folders on the way are resolved (symbolic links followed); the last
    component must be absent or a plain regular file that is not a database.
    """
    given = Path(os.path.expanduser(str(path)))
    if given.name in ("", ".", "..") or str(path).endswith(os.sep):
        raise InvalidInput(f"cannot write {path}: it is a folder, not a file name")
    folder = Path(os.path.realpath(given.parent))  # "x/.." is resolved as the system would
    final = folder / given.name
    why = _why_protected(final, ledger)
    if why is not None:
        raise InvalidInput(f"refusing to write {path}: {why}; nothing was written (choose another file name)")
    try:
        st = os.lstat(final)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise InvalidInput(f"refusing to write {path}: it is a symbolic link (to {os.path.realpath(final)}); "
                               "give the real file name")
        if stat.S_ISDIR(st.st_mode):
            raise InvalidInput(f"cannot write {path}: it is a folder, not a file name")
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInput(f"refusing to write {path}: it is a device, FIFO or socket, not a regular file")
    if not folder.is_dir():
        raise InvalidInput(f"cannot write {path}: the folder {given.parent} does not exist")
    return final


def check_stdout(ledger: Path | None, fd: int = 1) -> None:
    """Refuse to write to standard output when the shell pointed it at a database (``> claims.db``)."""
    try:
        st = os.fstat(fd)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        return
    if any(_identity(p) == (st.st_dev, st.st_ino) for p in _ledger_files(ledger)):
        raise InvalidInput("refusing to write: standard output is the ledger in use; use --out FILE")
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")  # Linux; elsewhere only the ledger itself is detected
    except OSError:
        return
    if is_sqlite_file(Path(name)):
        raise InvalidInput("refusing to write: standard output is an SQLite database; use --out FILE")


def create_temp(final: Path) -> tuple[Path, int]:
    """A new, empty, private temporary file beside ``final``: (its path, an open descriptor)."""
    for _ in range(100):
        temp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            return temp, os.open(temp, _OPEN_FLAGS, PRIVATE)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InvalidInput(f"cannot write {final}: {exc.strerror or exc}") from None
    raise InvalidInput(f"cannot write {final}: no free temporary name in {final.parent}")


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def place(temp: Path, final: Path, *, ledger: Path | None, overwrite: bool = True) -> None:
    """Give the finished ``temp`` its final name (checked again just before)."""
    check_target(final, ledger=ledger)
    if overwrite:
        os.replace(temp, final)  # replaces a directory entry; never writes through a link
    else:
        try:
            os.link(temp, final)
        except FileExistsError:
            raise Conflict(f"{final} exists: choose another name") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            if os.path.lexists(final):
                raise Conflict(f"{final} exists: choose another name") from None
            os.replace(temp, final)
        else:
            os.unlink(temp)
    _fsync_folder(final.parent)


def _discard(temp: Path) -> None:
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass


@contextmanager
def open_output(path: Path | str, *, ledger: Path | None, binary: bool = False,
                overwrite: bool = True) -> Iterator:
    """A file object whose content replaces ``path`` whole when the block ends without error."""
    final = check_target(path, ledger=ledger)
    temp, fd = create_temp(final)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        place(temp, final, ledger=ledger, overwrite=overwrite)
    except OSError as exc:
        _discard(temp)
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None
    except BaseException:
        _discard(temp)
        raise


def write_outputs(files: dict[Path, bytes], *, ledger: Path | None, overwrite: bool = True) -> list[Path]:
    """Write several files (a report and its charts): all are checked before any is written."""
    finals = {check_target(p, ledger=ledger): content for p, content in files.items()}
    temps: list[tuple[Path, Path]] = []
    try:
        for final, content in finals.items():
            temp, fd = create_temp(final)
            temps.append((temp, final))
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        for temp, final in temps:
            place(temp, final, ledger=ledger, overwrite=overwrite)
    except OSError as exc:
        for temp, _ in temps:
            _discard(temp)
        raise InvalidInput(f"cannot write {next(iter(files))}: {exc.strerror or exc}") from None
    except BaseException:
        for temp, _ in temps:
            _discard(temp)
        raise
    return list(finals)


def dated_name(folder: Path, stem: str, extension: str, today: date | None = None) -> Path:
    """The first free ``STEM-YYYY-MM-DD[-k].EXT`` in ``folder``."""
    day = (today or date.today()).isoformat()
    for k in range(1, 10_000):
        candidate = folder / (f"{stem}-{day}.{extension}" if k == 1 else f"{stem}-{day}-{k}.{extension}")
        if not os.path.lexists(candidate):
            return candidate
    raise Conflict(f"{folder} already holds 9,999 files named {stem}-{day}: move some away")


def output_target(out: str | Path, fmt: str | None, extensions: dict[str, tuple[str, ...]], *,
                  ledger: Path | None, default: str, stem: str, option: str = "--out") -> tuple[Path, str]:
    """(file to write, format) for ``--out``/``--format``.

    ``extensions`` maps each format to its accepted extensions, the first
    being the one a dated name gets.  A folder gets a dated file name inside
    it; an extension decides a missing format, and one that contradicts the
    format, or that no format has, is refused naming the accepted ones.
    A path that must never be written (see :func:`check_target`) is refused first.
    """
    path = Path(os.path.expanduser(str(out)))
    if path.is_dir():
        chosen = fmt or default
        return dated_name(path, stem, extensions[chosen][0]), chosen
    if str(out).endswith(("/", os.sep)):  # a folder was meant, and there is none
        raise InvalidInput(f"invalid {option} '{out}': no such folder; create it first, or give a file name")
    check_target(path, ledger=ledger)
    suffix = path.suffix.lower().lstrip(".")
    if not suffix:
        return path, fmt or default
    by_suffix = {ext: name for name, exts in extensions.items() for ext in exts}
    implied = by_suffix.get(suffix)
    if implied is None:
        accepted = ", ".join(f".{e}" for exts in extensions.values() for e in exts)
        raise InvalidInput(f"invalid {option} '{out}': unknown extension '.{suffix}'; use one of {accepted}")
    if fmt is not None and implied != fmt:
        accepted = " or ".join(f".{e}" for e in extensions[fmt])
        raise InvalidInput(f"invalid {option} '{out}': '.{suffix}' is not --format {fmt}; "
                           f"use a {accepted} file name, or --format {implied}")
    return path, implied
