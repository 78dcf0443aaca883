"""Whose numbers a list shows (mine, the claimant's call, the others' median):
picked in SQL (each forecaster's newest by (made_at, id)), held to the plain
Python rule that reads every forecast in order, on both engines, with ties on
made_at and names that differ only in case (casefold: "Strauß" is "STRAUSS")."""

from __future__ import annotations

from statistics import median

import pytest
from sqlalchemy import func, select

from claimtrack.db import models as m
from claimtrack.domain.filters import ClaimFilter
from claimtrack.domain.kinds import CLAIMANT_KINDS
from claimtrack.services import queries, views
from claimtrack.services.queries import iter_claims, list_claims


def reference_views(db, me: str) -> dict[int, dict]:
    """The rule in plain Python: every forecast of every claim, oldest first; the last one per
    (claim, casefolded name) is current."""
    f = m.forecasts.c
    with db.read() as session:
        sources = {cid: (src or "").casefold() for cid, src in session.execute(select(m.Claim.id, m.Claim.source))}
        rows = session.execute(select(f.claim_id, f.forecaster, f.kind, f.probability)
                               .order_by(f.claim_id, f.made_at, f.id)).all()
    current: dict[tuple[int, str], tuple] = {}
    for cid, who, kind, p in rows:
        current[(cid, who.casefold())] = (kind, p)
    out: dict[int, dict] = {}
    others: dict[int, list[float]] = {}
    for (cid, who), (kind, p) in current.items():
        view = out.setdefault(cid, {})
        if who == me.casefold():
            view["mine"] = p
        elif kind in CLAIMANT_KINDS and who == sources[cid]:
            view["theirs"], view["their_kind"] = p, kind
        else:
            others.setdefault(cid, []).append(p)
    for cid, ps in others.items():
        out[cid]["others"], out[cid]["n_others"] = median(ps), len(ps)
    return out


@pytest.fixture
def ledger(cli, db_url):
    def ok(*args):
        r = cli(*args)
        assert r.exit_code == 0, r.stderr
        return r

    ok("add", "Claim one", "--by", "Ben", "--their", "likely", "-p", "15%", "--made", "2024-01-01")
    ok("add", "Claim two", "--by", "Strauß", "--their", "40%", "--made", "2024-01-01")
    ok("add", "Claim three", "-p", "50%", "--made", "2024-01-01")  # yours alone
    ok("add", "Claim four", "--by", "Émile", "--their", "unlikely", "--made", "2024-01-01")
    day = "2024-02-01"
    # claim 1: ties on made_at (the later id wins), names in three cases, the claimant later in its own name
    for who, p in (("Priya", "70%"), ("priya", "75%"), ("PRIYA", "72%"), ("Ravi", "10%"), ("ravi", "20%")):
        ok("forecast", "1", p, "--by", who, "--made", day)
    ok("forecast", "1", "60%", "--by", "Priya", "--made", "2024-01-03")  # older than her same-day three
    ok("forecast", "1", "90%", "--by", "ben", "--kind", "stated", "--made", "2024-01-15")
    ok("forecast", "1", "35%", "--made", "2024-01-20")  # tester (you)
    ok("forecast", "1", "30%", "--by", "TESTER", "--made", "2024-01-10")  # older: not current
    # claim 2: casefold merges what lower() keeps apart
    ok("forecast", "2", "55%", "--by", "STRAUSS", "--kind", "stated", "--made", "2024-01-05")
    ok("forecast", "2", "65%", "--by", "strauss", "--made", "2024-01-06")  # an own forecast: not the claimant's call
    ok("forecast", "2", "20%", "--by", "Zoë", "--made", day)
    ok("forecast", "2", "25%", "--by", "ZOË", "--made", day)
    # claim 4: the claimant's name in another case, then a crowd number
    ok("forecast", "4", "33%", "--by", "émile", "--kind", "stated", "--made", day)
    ok("forecast", "4", "50%", "--by", "Metaculus", "--kind", "crowd", "--made", day)
    from claimtrack.services.store import open_ledger

    database = open_ledger(db_url)
    yield database
    database.dispose()


VIEW_FIELDS = ("mine", "theirs", "their_kind", "others", "n_others")


@pytest.mark.parametrize("me", ["tester", "PRIYA", "strauss", "Émile", "nobody"])
def test_views_are_each_forecasters_newest(ledger, me):
    expected = reference_views(ledger, me)
    assert expected  # the fixture made forecasts
    blank = {"mine": None, "theirs": None, "their_kind": None, "others": None, "n_others": 0}
    for chunk in (1, 2, 1000):
        listed = list(iter_claims(ledger, ClaimFilter(state="all"), me=me, chunk=chunk))
        assert len(listed) == 4
        for claim in listed:
            want = {**blank, **expected.get(claim.id, {})}
            assert {k: getattr(claim, k) for k in VIEW_FIELDS} == want, claim.id
    assert list_claims(ledger, ClaimFilter(state="all"), me=me) == listed


def test_the_rule_on_a_few_hand_checked_numbers(ledger):
    by_id = {c.id: c for c in list_claims(ledger, ClaimFilter(state="all"), me="tester")}
    one, two, three, four = (by_id[i] for i in (1, 2, 3, 4))
    # Priya's three same-day forecasts: the last recorded (72%) is current; Ravi's 20%
    assert (one.mine, one.theirs, one.their_kind) == (0.35, 0.9, "stated")
    assert (one.others, one.n_others) == (pytest.approx((0.72 + 0.2) / 2), 2)
    # Strauß/STRAUSS/strauss are one forecaster: the newest (an own 65%) is not a claimant's call
    assert (two.theirs, two.n_others, two.others) == (None, 2, pytest.approx((0.65 + 0.25) / 2))
    assert (three.mine, three.theirs, three.others, three.n_others) == (0.5, None, None, 0)
    assert (four.theirs, four.their_kind, four.others, four.n_others) == (0.33, "stated", 0.5, 1)


def test_views_read_one_row_per_forecaster(ledger, monkeypatch):
    """The SQL does the picking: Python sees each (claim, exact name) once, not every forecast."""
    seen = []
    real = views._current_query

    def spy(chunk, dialect):
        seen.append(list(chunk))
        return real(chunk, dialect)

    monkeypatch.setattr(views, "_current_query", spy)
    with ledger.read() as session:
        rows = session.execute(queries._list_query(ClaimFilter(state="all"), limit=None, offset=0, sort=None,
                                                   descending=False, after=None)).all()
        views.views_of(session, [r.id for r in rows if r.n_forecasts],
                       {r.id: (r.source or "").casefold() for r in rows}, "tester")
        n_rows = len(session.execute(real([1, 2, 3, 4], ledger.dialect)).all())
        n_forecasts = session.execute(select(func.count()).select_from(m.forecasts)).scalar_one()
    assert sorted(seen[0]) == [1, 2, 3, 4]
    n_names = 9 + 5 + 1 + 3  # exact (claim, forecaster) pairs among them (tester and TESTER are two)
    assert n_rows == n_names < n_forecasts
