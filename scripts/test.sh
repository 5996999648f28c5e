#!/usr/bin/env bash
# The README's test command: create a venv, install dynaguard with its dev extras, then run
# ruff, mypy --strict and the whole test suite. Works on a fresh machine with Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/python -m pytest -q -n 2 "$@"
