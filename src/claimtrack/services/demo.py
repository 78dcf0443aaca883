"""The example ledger, loaded through the same path as any import."""

from __future__ import annotations

from importlib import resources

from claimtrack.db.engine import Database
from claimtrack.services.imports import ImportSummary, import_claims


def demo_claims():
    from claimtrack.importers.native import parse_json_text

    text = (resources.files("claimtrack") / "data" / "demo.json").read_text(encoding="utf-8")
    return parse_json_text(text, "demo.json")


def load_demo(db: Database) -> ImportSummary:
    return import_claims(db, demo_claims())
