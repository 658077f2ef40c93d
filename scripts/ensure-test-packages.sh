#!/usr/bin/env bash
# Runs before `npm test`: installs the Debian packages some e2e tests drive, once, when we can
# (root with apt-get, as on the project's CI machines); otherwise says how, and lets those tests
# fail with the same hint.
#   chromium  the demo page's and the retry answers' browser tests (playwright-core downloads no browser)
#   nginx     the reconnect storm through a load balancer (test/reconnect-storm.e2e-spec.ts)
set -uo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "sse-hub: installing Debian's ${missing[*]} for the e2e tests (once)..."
  log=$(mktemp)
  # The tests start nginx themselves on a free port: keep the package from starting its own on :80.
  policy=/usr/sbin/policy-rc.d
  own_policy=false
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=true; fi
  if { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; } >"$log" 2>&1; then
    $own_policy && rm -f "$policy"
    exit 0
  fi
  $own_policy && rm -f "$policy"
  tail -20 "$log"
fi
echo "sse-hub: ${missing[*]} missing; the tests that need them will fail (apt-get install -y ${missing[*]})" >&2
exit 0
