"""Smoke test of bench/pg_scale.py on a tiny ledger: the copy into PostgreSQL is a
valid ledger (the same chain heads as the SQLite original), and the report and
writers commands run and count what they did.  No timing assertions."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
PG_SCALE = BENCH / "pg_scale.py"

pytestmark = pytest.mark.postgres


def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600, **kw)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _heads(output: str) -> str:
    return re.search(r"^heads: .*$", output, re.M).group(0)


@pytest.fixture
def pg_admin():
    import os

    url = os.environ.get("CLAIMTRACK_TEST_PG_URL")
    if not url:
        pytest.skip("PostgreSQL tests need CLAIMTRACK_TEST_PG_URL (.ci/run starts a server and sets it)")
    return url


def test_pg_scale_loads_a_valid_ledger_and_runs_its_measures(pg_admin, tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    sys.path.insert(0, str(BENCH))
    import generate

    name = f"ct_bench_{uuid.uuid4().hex[:10]}"
    url = make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    try:
        loaded = _run(str(PG_SCALE), "--pg", pg_admin, "load", "--claims", "150", "--forecasts", "900", "--name", name)
        assert "forecasts: 900 rows copied" in loaded.stdout

        source = generate.ensure_ledger(150, 900, quiet=True)
        on_sqlite = _run("-m", "claimtrack", "--db", str(source), "verify", cwd=tmp_path)
        on_pg = _run("-m", "claimtrack", "--db", url, "verify", cwd=tmp_path)
        assert _heads(on_pg.stdout) == _heads(on_sqlite.stdout)

        report = _run(str(PG_SCALE), "--pg", pg_admin, "report", "--name", name, "--repeat", "1", "--warmup", "0")
        assert re.search(r"scored n=\d+", report.stdout)
        writers = _run(str(PG_SCALE), "--pg", pg_admin, "writers", "--name", name, "--procs", "2", "--seconds", "2")
        added = int(re.search(r"([\d,]+) forecasts committed", writers.stdout).group(1).replace(",", ""))
        assert added > 0
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM forecasts")).scalar() == 900 + added
            # the id sequences go on after the copied ids: the new forecasts got the next ones
            assert conn.execute(text("SELECT max(id) FROM forecasts")).scalar() == 900 + added
        engine.dispose()
        assert "chain intact" in _run("-m", "claimtrack", "--db", url, "verify", cwd=tmp_path).stdout
    finally:
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
