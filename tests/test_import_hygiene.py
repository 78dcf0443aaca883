"""The core never imports textual: only the review UI (claimtrack.tui) may.

Each check runs in a fresh interpreter and looks at sys.modules afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

CORE = ("claimtrack.domain", "claimtrack.db", "claimtrack.services", "claimtrack.reports",
        "claimtrack.importers", "claimtrack.cli")


def loaded_after(code: str) -> dict:
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json, sys
        print(json.dumps({"textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")),
                          "claimtrack": sorted(m for m in sys.modules if m.startswith("claimtrack"))}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", CORE)
def test_core_package_and_all_its_modules_never_import_textual(package):
    seen = loaded_after(f"""
        import importlib, pkgutil
        pkg = importlib.import_module({package!r})
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            importlib.import_module(info.name)
    """)
    assert package in seen["claimtrack"]
    assert len([m for m in seen["claimtrack"] if m.startswith(package)]) > 1 or package == "claimtrack.reports"
    assert seen["textual"] == []


def test_cli_help_and_tui_help_do_not_import_textual():
    seen = loaded_after("""
        import contextlib, io
        from claimtrack.cli import cli
        for argv in (["--help"], ["tui", "--help"], ["add", "--help"]):
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    cli.main(argv, prog_name="claimtrack", standalone_mode=False)
                except SystemExit:
                    pass
    """)
    assert "claimtrack.cli.tuicmd" in seen["claimtrack"]
    assert seen["textual"] == []


def test_the_ui_helpers_without_widgets_do_not_import_textual():
    seen = loaded_after("""
        import claimtrack.tui.backend, claimtrack.tui.format, claimtrack.tui.score_format, claimtrack.tui.chart
    """)
    assert seen["textual"] == []


def test_the_ui_itself_does_import_textual():
    """Guards the checks above: the probe does see textual when it is imported."""
    seen = loaded_after("import claimtrack.tui.app")
    assert "textual" in seen["textual"]
