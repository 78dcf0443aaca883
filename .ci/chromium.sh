# shellcheck shell=bash
# Make sure headless Chromium and its driver are there for the browser test
# (tests/test_serve.py): Debian's chromium and chromium-driver packages,
# /usr/bin/chromium and /usr/bin/chromedriver.
#
# SOURCE this file (". .ci/chromium.sh" from .ci/run); do not execute it.
# It installs them with apt-get only when one is missing.  When they cannot be
# had it prints a LOUD warning and returns 0: the browser test then skips
# itself, saying why.

_ct_chromium_warn() {
    {
        echo
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo "!!! WARNING: no headless Chromium for the browser test: $*"
        echo "!!! tests/test_serve.py::test_the_review_ui_shows_in_a_browser will be SKIPPED."
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo
    } >&2
}

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    :
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium.sh: installing chromium and chromium-driver with apt-get" >&2
    if apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2; then
        echo "chromium.sh: $(/usr/bin/chromium --version 2>/dev/null) installed" >&2
    else
        _ct_chromium_warn "apt-get install chromium chromium-driver failed"
    fi
else
    _ct_chromium_warn "/usr/bin/chromium or /usr/bin/chromedriver missing and cannot apt-get install them (not root or no apt-get)"
fi
