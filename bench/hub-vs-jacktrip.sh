#!/usr/bin/env bash
# Side by side, in one run, with the same load generator: our hub (`Loki.Learning.Hub serve`) against
# JackTrip's own hub (`jacktrip-cli -S -p 2`), at several client counts; then the audio round trip through
# each hub with two real `jacktrip-cli -q 4` clients and jack_iodelay.
#
#   bench/hub-vs-jacktrip.sh [--clients "1 8 32 64"] [--seconds 60] [--out FILE] [--hubs "jacktrip ours"] [--round-trip yes|no]
#
# Hubs: jacktrip, ours, and ours-sendN (ours with `--send-threads N`: N threads share a period's sends), e.g.
# --hubs "ours ours-send2" compares the two in one run, step by step.
#
# Everything runs on 127.0.0.1 with unique JACK server names and free ports; every process is started in its
# own process group and killed on exit. CPU is utime+stime from /proc/<pid>/stat over the load run.
set -euo pipefail
cd "$(dirname "$0")/.."

clients_list="1 8 32 64"
seconds=60
out=""
hubs="jacktrip ours"
with_round_trip=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --clients) clients_list="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --hubs) hubs="$2"; shift 2 ;;
        --round-trip) with_round_trip="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

for tool in jackd jacktrip-cli jack_iodelay jack_connect jack_lsp stdbuf setsid; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y --no-install-recommends jacktrip jackd2" >&2; exit 1; }
done

export JACK_NO_START_SERVER=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d /tmp/loki-bench.XXXXXX)"
groups=()
cleanup() {
    for pgid in "${groups[@]:-}"; do
        [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null || true
    done
}
trap cleanup EXIT

dotnet build src/Loki.Learning.Hub -c Release -nologo -v q >/dev/null
hub_bin="src/Loki.Learning.Hub/bin/Release/net10.0/Loki.Learning.Hub"

clk_tck="$(getconf CLK_TCK)"
# start LOGFILE ENV... -- COMMAND...: runs in a new session (process group = pid), prints the pid.
start() {
    local log="$1"; shift
    setsid env "$@" >"$log" 2>&1 < /dev/null &
    local pid=$!
    groups+=("$pid")
    echo "$pid"
}
stop() {
    kill -TERM -- "-$1" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL -- "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cpu_ticks() { # utime+stime of one process, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
free_port_range() { # first of N consecutive free UDP+TCP ports
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(500):
    base = random.randrange(30000, 40000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, kind); s.bind(("0.0.0.0", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
}
wait_for() { # LOGFILE PATTERN SECONDS
    for _ in $(seq $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "timed out waiting for '$2' in $1" >&2; tail -n 20 "$1" >&2; return 1
}
start_jackd() { # NAME LOG -> pid, waits until it answers
    local pid
    pid=$(start "$2" jackd -n "$1" -d dummy -r 48000 -p 128)
    for _ in $(seq 100); do JACK_DEFAULT_SERVER="$1" jack_lsp >/dev/null 2>&1 && break; sleep 0.1; done
    echo "$pid"
}
field() { # RESULT-LINE KEY
    sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

results=()
run_load() { # HUB-KIND CLIENTS
    local kind="$1" n="$2" port udp hub_pid jack_pid="" name="b$RANDOM"
    port=$(free_port_range 1); udp=$(free_port_range $(( n + 2 )))
    if [ "$kind" = jacktrip ]; then
        jack_pid=$(start_jackd "$name" "$work/jackd-$kind-$n.log")
        hub_pid=$(start "$work/hub-$kind-$n.log" JACK_DEFAULT_SERVER="$name" jacktrip-cli -S -p 2 -B "$port" -U "$udp")
        wait_for "$work/hub-$kind-$n.log" "Waiting for Peer\|HUB SERVER" 10
    else
        local send_threads=1
        [[ "$kind" == ours-send* ]] && send_threads="${kind#ours-send}"
        hub_pid=$(start "$work/hub-$kind-$n.log" "$hub_bin" serve --port "$port" --bind 127.0.0.1 --admit '*' --period 128 --udp-base "$udp" --max-clients $(( n + 2 )) --send-threads "$send_threads")
        wait_for "$work/hub-$kind-$n.log" "listening" 20
    fi
    sleep 1
    local hub0 jack0 hub1 jack1 t0 t1 result
    hub0=$(cpu_ticks "$hub_pid"); jack0=0; [ -n "$jack_pid" ] && jack0=$(cpu_ticks "$jack_pid")
    t0=$(date +%s.%N)
    result=$("$hub_bin" loadgen --host 127.0.0.1 --port "$port" --clients "$n" --seconds "$seconds" --name-prefix "${kind:0:2}$RANDOM-" | tee "$work/loadgen-$kind-$n.log" | grep '^RESULT' || true)
    t1=$(date +%s.%N)
    hub1=$(cpu_ticks "$hub_pid"); jack1=0; [ -n "$jack_pid" ] && jack1=$(cpu_ticks "$jack_pid")
    local wall hub_pct jack_pct
    wall=$(echo "$t1 - $t0" | bc -l)
    hub_pct=$(echo "100 * ($hub1 - $hub0) / $clk_tck / $wall" | bc -l)
    jack_pct=$(echo "100 * ($jack1 - $jack0) / $clk_tck / $wall" | bc -l)
    stop "$hub_pid"
    [ -n "$jack_pid" ] && stop "$jack_pid"
    local added="-"
    if [[ "$kind" == ours* ]]; then
        added=$(grep '^FINAL' "$work/hub-$kind-$n.log" | sed -n 's/.*added_p50_ms=\([^ ]*\) added_p99_ms=\([^ ]*\).*/\1 \/ \2/p' | tail -1)
        [ -z "$added" ] && added="-"
    fi
    results+=("$(printf '%s|%s|%.1f|%.1f|%.2f|%s|%s|%s|%s|%s|%s|%s|%s' "$kind" "$n" "$hub_pct" "$jack_pct" \
        "$(echo "($hub_pct + $jack_pct) / $n" | bc -l)" \
        "$(field "$result" received)" "$(field "$result" lost)" "$(field "$result" stalls) ($(field "$result" steady_stalls))" \
        "$(field "$result" p50_ms)" "$(field "$result" p99_ms)" "$added" "$(field "$result" late_sends)" \
        "$(cut -d' ' -f1 /proc/loadavg)")")
    echo "${results[-1]}" >&2
}

round_trip() { # HUB-KIND -> median ms of jack_iodelay readings after a settling time
    local kind="$1" port udp hub_pid jack_hub="" name="r$RANDOM" cname="c$RANDOM"
    port=$(free_port_range 1); udp=$(free_port_range 4)
    if [ "$kind" = jacktrip ]; then
        jack_hub=$(start_jackd "$name" "$work/rt-jackd-hub.log")
        hub_pid=$(start "$work/rt-hub-$kind.log" JACK_DEFAULT_SERVER="$name" jacktrip-cli -S -p 2 -B "$port" -U "$udp")
        wait_for "$work/rt-hub-$kind.log" "Waiting for Peer\|HUB SERVER" 10
    else
        hub_pid=$(start "$work/rt-hub-$kind.log" "$hub_bin" serve --port "$port" --bind 127.0.0.1 --admit '*' --period 128 --udp-base "$udp")
        wait_for "$work/rt-hub-$kind.log" "listening" 20
    fi
    local jack_cli a b io
    jack_cli=$(start_jackd "$cname" "$work/rt-jackd-cli-$kind.log")
    a=$(start "$work/rt-a-$kind.log" JACK_DEFAULT_SERVER="$cname" jacktrip-cli -C 127.0.0.1 -P "$port" -B "$(free_port_range 1)" -J rta -K rta -D -q 4 -I 1)
    b=$(start "$work/rt-b-$kind.log" JACK_DEFAULT_SERVER="$cname" jacktrip-cli -C 127.0.0.1 -P "$port" -B "$(free_port_range 1)" -J rtb -K rtb -D -q 4 -I 1)
    wait_for "$work/rt-a-$kind.log" "Received Connection from Peer" 15
    wait_for "$work/rt-b-$kind.log" "Received Connection from Peer" 15
    io=$(start "$work/rt-iodelay-$kind.log" JACK_DEFAULT_SERVER="$cname" stdbuf -oL jack_iodelay)
    sleep 1
    JACK_DEFAULT_SERVER="$cname" jack_connect jack_delay:out rta:send_1
    JACK_DEFAULT_SERVER="$cname" jack_connect rtb:receive_1 jack_delay:in
    sleep 4
    local before; before=$(grep -c 'total roundtrip' "$work/rt-iodelay-$kind.log" || true)
    sleep 6
    tail -n +"$(( before + 1 ))" "$work/rt-iodelay-$kind.log" | sed -n 's/.* \([0-9.]*\) ms total roundtrip latency/\1/p' \
        | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f (%.1f–%.1f, %d readings)", v[int((NR + 1) / 2)], v[1], v[NR], NR; else print "none" }'
    for pid in "$io" "$a" "$b" "$hub_pid" "$jack_cli" ${jack_hub:+"$jack_hub"}; do stop "$pid"; done
}

# A JACK server killed without its clean-up leaves its entry in the shared registry, and after eight of those
# jackd refuses to start ("Too many servers already active"); with no jackd running the registry is stale.
pgrep -x jackd >/dev/null || rm -f /dev/shm/jack-shm-registry
echo "loki hub vs jacktrip hub: clients [$clients_list], $seconds s each, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for n in $clients_list; do
    for kind in $hubs; do
        run_load "$kind" "$n"
    done
done
rt_jacktrip="not measured"; rt_ours="not measured"
if [ "$with_round_trip" = yes ]; then
    rt_jacktrip=$(round_trip jacktrip)
    rt_ours=$(round_trip ours)
fi

report() {
    echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), load average before the run $load_before (other work on the machine), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $seconds s per load step, 48 kHz, 128 frames, 16-bit stereo"
    echo
    echo "| hub | clients | hub process CPU % of a core | its jackd CPU % | CPU % per client (hub + jackd) | datagrams received | lost | stalls > 4 periods (after the first 2 s) | reply latency p50 ms | p99 ms | added latency p50 / p99 ms (hub's own figure) | loadgen late sends | load avg after |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    for row in "${results[@]}"; do
        IFS='|' read -r kind n hub jack per recv lost stalls p50 p99 added late load <<<"$row"
        case "$kind" in
            jacktrip) kind="jacktrip-cli -S -p 2" ;;
            ours-send*) kind="Loki.Learning.Hub serve --send-threads ${kind#ours-send}" ;;
            *) kind="Loki.Learning.Hub serve" ;;
        esac
        echo "| $kind | $n | $hub | $jack | $per | $recv | $lost | $stalls | $p50 | $p99 | $added | $late | $load |"
    done
    echo
    echo "Round trip, two real \`jacktrip-cli -q 4\` clients, jack_iodelay (median, range) in ms:"
    echo "- JackTrip's hub: $rt_jacktrip"
    echo "- our hub: $rt_ours"
}
if [ -n "$out" ]; then report | tee "$out"; else report; fi
echo "logs: $work" >&2
