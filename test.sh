#!/usr/bin/env bash
# Runs every test suite. Installs what the tests need (Debian packages, npm packages) when missing.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v jacktrip-cli >/dev/null || need_apt+=(jacktrip)
command -v jackd >/dev/null || need_apt+=(jackd2)
command -v jack_iodelay >/dev/null || need_apt+=(jackd2)
command -v sox >/dev/null || need_apt+=(sox)
command -v chromium >/dev/null || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "test.sh: installing ${need_apt[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# axe-core for the browser suite, from the committed lock file (served to pages from disk, never a CDN).
(cd e2e/Loki.Learning.E2E && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Loki.Learning.sln -c Release -nologo -v q

status=0
for project in tests/Loki.Learning.Media.Tests tests/Loki.Learning.Web.Tests e2e/Loki.Learning.E2E; do
    [ -d "$project" ] || continue
    echo "== $project"
    dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" || status=1
done
exit $status
