#!/usr/bin/env bash
# Runs before `npm test`: the demo page's e2e test drives Debian's Chromium through
# playwright-core, which downloads no browser. On a machine without it, install it once when we
# can (root with apt-get, as on the project's CI machines); otherwise say how, and let the test
# fail with the same hint.
set -uo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "sse-hub: installing Debian's chromium for the demo page's browser test (once)..."
  log=$(mktemp)
  if { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } >"$log" 2>&1; then
    exit 0
  fi
  tail -20 "$log"
fi
echo "sse-hub: /usr/bin/chromium is missing; the demo page's browser test will fail (apt-get install -y chromium)" >&2
exit 0
