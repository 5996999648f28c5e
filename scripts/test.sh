#!/usr/bin/env bash
# The README's test command: create a venv, install dynaguard with its dev extras, then run
# ruff, mypy --strict and the whole test suite. Works on a fresh machine with Python 3.11+.
# The HTML report's browser tests need Debian's chromium + chromium-driver (.ci/run installs
# them): without them they are deselected here with a warning, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
select=()
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "scripts/test.sh: /usr/bin/chromium and /usr/bin/chromedriver are required in CI" >&2
        exit 1
    fi
    echo "scripts/test.sh: WARNING: browser tests NOT run (apt-get install chromium chromium-driver)" >&2
    select=(-m "not browser")
fi
.venv/bin/python -m pytest -q -n 2 "${select[@]}" "$@"
