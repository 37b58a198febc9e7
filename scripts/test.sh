#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Browser tests use Debian's Chromium at /usr/bin/chromium; PyTorch 2.13.0 (CPU) backs the reference tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx runs deploy/nginx.conf for real in tests/ops/test_nginx_live.py, on free ports of its own (outside a
# container Debian also starts the nginx service on install; the tests need only the binary). Likewise
# redis-server: tests/classroom starts its own on a free port for the Redis backend of live classes.
# Node (for the JavaScript lint, format check and unit tests) comes from Debian only when npm is missing, so
# a newer node already on the machine is left alone; ESLint needs node 20.19 or later.
NODE_PACKAGES=""; command -v npm >/dev/null || NODE_PACKAGES="nodejs npm"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
  || [ ! -x /usr/bin/redis-server ] || [ -n "$NODE_PACKAGES" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk nginx-light redis-server $NODE_PACKAGES >/dev/null
fi

python -m pip install -q -e ".[test]"
python -m pip install -q "torch==2.13.0"

# Known vulnerabilities in the installed dependencies fail the run; an unreachable advisory database only warns.
python scripts/audit.py

ruff check .
ruff format --check .

# The browser's ES modules: ESLint, Prettier, and node's test runner on the modules that need no DOM.
npm ci --no-audit --no-fund
npm run lint
npm run format:check
npm test

python -m pytest "$@"
