"""verify's SQLite fast paths prove only what the judge would pass.

On SQLite, verify takes a claim with no edits whose stored fields are
exactly its creation record's as unchanged without replaying it (only its
tags and cached columns are compared), and hashes the claim_records and
claim_edits chains from text SQLite writes.  Anything the fast path cannot
prove goes through the replay and row_hash: a value stored in another form
that reads back the same is no alarm, a real change still is.
"""

from __future__ import annotations

import pytest

from test_trust_chain import _fails, ledger  # noqa: F401  (the four-claim ledger fixture)


@pytest.fixture
def sqlite_only(db_url):
    if db_url.startswith("postgres"):
        pytest.skip("the stored text forms are SQLite's")


def _stored(sql, claim: int) -> str:
    return sql("SELECT stated_at FROM claims WHERE id = :id", id=claim)[0][0]


def test_a_timestamp_stored_in_another_form_of_the_same_instant_still_verifies(sqlite_only, ledger, sql):
    before = _stored(sql, 2)
    assert before.endswith(".000000")  # the usual stored form of a whole second
    sql("UPDATE claims SET stated_at = :v WHERE id = 2", v=before[:-7])  # the same instant, no fraction
    assert _stored(sql, 2) != before
    result = ledger("verify")
    assert result.exit_code == 0, result.output
    assert "claims: 4 rows, each matches" in result.stdout


def test_a_changed_timestamp_in_another_form_is_still_caught(sqlite_only, ledger, sql, dump, db_url):
    before = _stored(sql, 2)
    sql("UPDATE claims SET stated_at = :v WHERE id = 2", v=before[:-7].replace(before[:4], "2020", 1))
    _fails(ledger, dump, db_url, "claim 2: stated_at is 2020-", "changed outside claimtrack")


def test_an_unedited_claims_changed_statement_and_tag_are_both_named(ledger, sql, dump, db_url):
    sql("UPDATE claims SET statement = 'claim three, forged' WHERE id = 3")
    sql("INSERT INTO claim_tags (claim_id, tag) VALUES (3, 'forged')")
    line = _fails(ledger, dump, db_url, "claim 3: statement is 'claim three, forged'")
    result = ledger("verify")
    assert "claim 3: tags is 'forged' but its chained history says ''" in result.stdout, result.stdout
    assert line
