#!/usr/bin/env bash
# Runs every test suite: media (with real JackTrip peers), web (handlers, grains, pages, API) and
# the browser suite. Installs what the tests need (Debian and npm packages) when it is missing.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v jacktrip-cli >/dev/null || need_apt+=(jacktrip)
command -v jackd >/dev/null && command -v jack_iodelay >/dev/null || need_apt+=(jackd2)
command -v sox >/dev/null || need_apt+=(sox)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
command -v chromium >/dev/null || need_apt+=(chromium)
# Video: the node supervises Debian's Janus (VideoRoom plugin, WebSocket transport); janus-tools for recordings.
command -v janus >/dev/null || need_apt+=(janus)
command -v janus-pp-rec >/dev/null || need_apt+=(janus-tools)
# The tests' Janus runs with a small LD_PRELOAD shim (tests/.../Video/loopback-only.c, compiled by the tests) that keeps
# its ICE on 127.0.0.0/8: Janus alone never gathers on a loopback interface (docs/decisions/0009).
command -v gcc >/dev/null && [ -f /usr/include/ifaddrs.h ] || need_apt+=(gcc libc6-dev)
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v stdbuf >/dev/null || need_apt+=(coreutils)
# ClusterTlsTests run the openssl recipe for cluster certificates of docs/operations.md.
command -v openssl >/dev/null || need_apt+=(openssl)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
/usr/bin/python3 -c 'import icalendar' 2>/dev/null || need_apt+=(python3-icalendar)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "test.sh: installing ${need_apt[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# axe-core for the browser suite (served to pages from disk, never a CDN) and the OpenAPI validator, from the
# committed lock file.
(cd e2e/Loki.Learning.E2E && [ -d node_modules/axe-core ] && [ -d node_modules/@readme/openapi-parser ] || npm ci --no-audit --no-fund)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build Loki.Learning.sln -c Release -nologo -v q

passed=0 failed=0 skipped=0 status=0
failures=$(mktemp)
for project in tests/Loki.Learning.Media.Tests tests/Loki.Learning.Web.Tests e2e/Loki.Learning.E2E; do
    [ -d "$project" ] || continue
    echo "== $project"
    log=$(mktemp)
    dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=1
    # The normal-verbosity summary: "Total tests: N" followed by "Passed: N", "Failed: N", "Skipped: N" lines.
    if ! grep -qE '^Total tests: [0-9]+' "$log"; then
        echo "test.sh: $project ran no test"
        status=1
    else
        count() { grep -E "^ +$1: +[0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
        passed=$((passed + $(count Passed)))
        failed=$((failed + $(count Failed)))
        skipped=$((skipped + $(count Skipped)))
    fi
    # Each failed test with the first lines of its message, repeated at the end where a log's tail shows it.
    grep -E -A6 '^  Failed [A-Za-z0-9_]+\.' "$log" >> "$failures" || true
    rm -f "$log"
done

if [ -s "$failures" ]; then
    echo "== failed tests"
    cat "$failures"
fi
rm -f "$failures"
echo "total: $passed passed, $failed failed, $skipped skipped"
exit $status
