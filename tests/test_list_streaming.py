"""`list --json` streams: the same bytes as the whole list printed at once
(json.dumps of the plain claims, indent=2), read and written a chunk at a time."""

from __future__ import annotations

import json

import pytest

from claimtrack.cli import common, json_out
from claimtrack.domain.filters import ClaimFilter
from claimtrack.services.queries import iter_claims, list_claims


@pytest.fixture
def demo(db):
    from claimtrack.services.demo import load_demo

    load_demo(db)
    return db


CASES = [
    dict(state="open"), dict(state="all"), dict(state="resolved"), dict(state="all", sort="probability", desc=True),
    dict(state="all", sort="statement", limit=5), dict(state="all", sort="due"), dict(state="draft"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_streamed_claims_are_the_listed_claims(demo, case):
    flt = ClaimFilter(state=case["state"])
    kwargs = dict(limit=case.get("limit"), sort=case.get("sort"), descending=case.get("desc", False))
    listed = list_claims(demo, flt, **kwargs)
    assert list(iter_claims(demo, flt, chunk=2, **kwargs)) == listed
    assert list(iter_claims(demo, flt, **kwargs)) == listed


@pytest.mark.parametrize("args", [[], ["--all"], ["--all", "--sort", "made", "--desc"], ["--resolved", "--limit", "3"],
                                  ["--drafts"], ["--tag", "no-such-tag"]])
def test_list_json_prints_the_whole_list_byte_for_byte(demo, cli, db_url, monkeypatch, args):
    monkeypatch.setattr(json_out, "FLUSH_PARTS", 7)  # many writes
    result = cli("list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    from claimtrack.cli.listing import build_filter

    state = {"--all": "all", "--resolved": "resolved", "--drafts": "draft"}.get(args[0] if args else "", "open")
    tags = (args[1],) if args[:1] == ["--tag"] else ()
    flt = build_filter(state, tags, None, None, None, None, None, "7")
    sort = args[args.index("--sort") + 1] if "--sort" in args else None
    limit = int(args[args.index("--limit") + 1]) if "--limit" in args else None
    claims = list_claims(demo, flt, limit=limit, sort=sort, descending="--desc" in args, me="tester")
    expected = json.dumps(common.to_plain(claims), default=common.json_default, ensure_ascii=False, indent=2) + "\n"
    assert result.stdout == expected
    assert len(json.loads(result.stdout)) == len(claims)
    if args[:1] == ["--tag"]:
        assert result.stdout == "[]\n"


def test_a_bad_sort_prints_nothing_but_the_error(demo, cli):
    result = cli("list", "--json", "--sort", "nonsense")
    assert result.exit_code == 2 and result.stdout == ""
