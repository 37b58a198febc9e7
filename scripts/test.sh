#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Browser tests use Debian's Chromium at /usr/bin/chromium; PyTorch 2.13.0 (CPU) backs the reference tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx runs deploy/nginx.conf for real in tests/ops/test_nginx_live.py, on free ports of its own (outside a
# container Debian also starts the nginx service on install; the tests need only the binary).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk nginx-light >/dev/null
fi

python -m pip install -q -e ".[test]"
python -m pip install -q "torch==2.13.0"

# Known vulnerabilities in the installed dependencies fail the run; an unreachable advisory database only warns.
python scripts/audit.py

ruff check .
ruff format --check .
python -m pytest "$@"
