#!/usr/bin/env bash
# Our hub alone on one core: `serve` pinned to CPU 1 and the load generator to CPU 0 (taskset), so "clients per
# core" is not disturbed by the load generator sharing the hub's core (docs/benchmarks.md §2).
#   dotnet build src/Loki.Learning.Hub -c Release && bench/hub-pinned.sh CLIENTS SECONDS
#   HUB_ARGS='--rt-priority 0' bench/hub-pinned.sh …   (extra serve options)
#   HUB_ENV='DOTNET_TieredCompilation=1' LOADGEN_ENV=… bench/hub-pinned.sh …   (environment of either process)
set -u
cd "$(dirname "$0")/.."
H=src/Loki.Learning.Hub/bin/Release/net10.0/Loki.Learning.Hub.dll
n=$1; secs=$2
taskset -c 1 env ${HUB_ENV:-} dotnet $H serve --port 14464 --bind 127.0.0.1 --admit '*' --udp-base 61002 --max-clients 256 --stats-seconds 30 ${HUB_ARGS:-} > /tmp/hub-$n.log 2>&1 &
HP=$! # taskset execs dotnet: the hub's pid
until (exec 3<>/dev/tcp/127.0.0.1/14464) 2>/dev/null; do sleep 0.2; done
T0=$(awk '{print $14+$15}' /proc/$HP/stat); S0=$(date +%s.%N)
taskset -c 0 env ${LOADGEN_ENV:-} dotnet $H loadgen --host 127.0.0.1 --port 14464 --clients $n --seconds $secs 2>&1 | grep -E "RESULT|late|received|gaps"
T1=$(awk '{print $14+$15}' /proc/$HP/stat); S1=$(date +%s.%N)
echo "hub CPU % of one core: $(awk -v t="$((T1 - T0))" -v s0="$S0" -v s1="$S1" 'BEGIN { printf "%.1f", t / (s1 - s0) }')"
kill $HP; wait $HP 2>/dev/null
grep -aE "FINAL|mix thread" /tmp/hub-$n.log
