#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian/Ubuntu machine, then run it.
#   bash scripts/test.sh            # the fast set: no browser, no app server, no Keras training (minutes)
#   bash scripts/test.sh --all      # everything (what CI runs)
#   bash scripts/test.sh -k hub     # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

FAST=(-m "not browser and not app and not train")
ALL=false
if [ "${1:-}" = "--all" ]; then
  ALL=true
  shift
fi

# Fonts for the synthetic data (one list, shared with train/synthetic.py); Chromium for the browser tests.
APT_PACKAGES="$(cat train/fonts-debian.txt)"
if $ALL; then APT_PACKAGES="$APT_PACKAGES chromium chromium-driver"; fi
missing=$(for p in $APT_PACKAGES; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  echo "Installing Debian packages: $missing"
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .  # bench, scripts

# Lint and format first: a style error fails here, in seconds, before the suite's minutes.
.venv/bin/ruff check .
.venv/bin/ruff format --check .

if $ALL; then
  exec .venv/bin/python -m pytest -q "$@"
fi
exec .venv/bin/python -m pytest -q "${FAST[@]}" "$@"
