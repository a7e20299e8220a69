#!/usr/bin/env bash
# Install what the browser tests (pytest -m browser) need on a fresh Debian machine, as root:
# the distribution's Chromium at /usr/bin/chromium. Playwright drives it from the test extra;
# no browser download (`playwright install`) is needed.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
chromium --version
