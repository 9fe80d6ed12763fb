#!/usr/bin/env bash
# How many publishers × subscribers one node's Janus forwards with ≤ 1 % frames lost (docs/benchmarks.md §13).
# Starts Debian's Janus with the settings a node generates for its own with Video:LoopbackOnly, as the tests run it
# (Features/Video/JanusConfiguration.cs: only the VideoRoom plugin and the WebSocket transport on loopback, string ids,
# ICE on 127.0.0.1 only through the shim tests/Loki.Learning.Web.Tests/Video/loopback-only.c), then for each case runs
# bench/video-load/sfu-load.mjs: paced VP8 publishers and werift subscribers that never decode.
#
#   bench/video-capacity.sh [--seconds 30] [--workers 2] [--out FILE] [--cases "P:H:BITRATE:TEACHER:VIEWERS:SEE ..."]
#
# A case "30:360:150000:1500000:30:all" is 30 cameras at 360p and 150 kb/s, a teacher at 720p and 1.5 Mb/s, and 30
# viewers who each receive the teacher and all 30 cameras (the teacher receives the 30 cameras as well). TEACHER 0 = no
# teacher; SEE = teacher: viewers receive the teacher only; SEE = page:8: the teacher and a page of 8 cameras, as the
# room page receives with Video:CamerasPerPage 8.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
workers=2
out=""
cases="1:720:1500000:0:10:all 1:720:1500000:0:30:all 0:360:0:1500000:30:teacher 30:360:150000:1500000:30:teacher 30:360:150000:1500000:30:all 4:360:500000:0:4:all 8:360:500000:0:8:all 8:720:1500000:0:8:all"
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --cases) cases="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v janus >/dev/null || { echo "missing janus: apt-get install -y --no-install-recommends janus" >&2; exit 1; }
command -v gcc >/dev/null || { echo "missing gcc: apt-get install -y --no-install-recommends gcc libc6-dev" >&2; exit 1; }
[ -d bench/video-load/node_modules/werift ] || (cd bench/video-load && npm ci --no-audit --no-fund)

work="$(mktemp -d /tmp/loki-video-bench.XXXXXX)"
janus_pid=""
cleanup() {
    [ -n "$janus_pid" ] && kill -- "-$janus_pid" 2>/dev/null || true
    [ -n "${KEEP_JANUS_LOG:-}" ] && cp "$work/janus.log" "$KEEP_JANUS_LOG"
    rm -rf "$work"
}
trap cleanup EXIT

# Janus sees the loopback interface as an ordinary one and can send datagrams to 127.0.0.0/8 only (docs/decisions/0009).
gcc -shared -fPIC -O2 -Wall -Werror -o "$work/libloopback-only.so" tests/Loki.Learning.Web.Tests/Video/loopback-only.c -ldl

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
admin_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
lib=/usr/lib/x86_64-linux-gnu/janus
disable_plugins=$(printf 'libjanus_%s.so,' audiobridge duktape echotest lua nosip recordplay sip streaming textroom videocall voicemail)
disable_transports=$(printf 'libjanus_%s.so,' http mqtt nanomsg pfunix rabbitmq)
disable_events=$(printf 'libjanus_%s.so,' gelfevh mqttevh nanomsgevh rabbitmqevh sampleevh wsevh)
cat > "$work/janus.jcfg" <<EOF
general: {
    configs_folder = "$work"
    plugins_folder = "$lib/plugins"
    transports_folder = "$lib/transports"
    events_folder = "$lib/events"
    loggers_folder = "$lib/loggers"
    debug_level = 4
    server_name = "loki-bench"
    api_secret = "$secret"
    session_timeout = 60
    reclaim_session_timeout = 0
    hide_dependencies = true
    interface = "127.0.0.1"
}
media: {
    rtp_port_range = "20000-20999"
}
nat: {
    ignore_mdns = true
    ice_enforce_list = "127.0.0.1"
}
plugins: {
    disable = "${disable_plugins%,}"
}
transports: {
    disable = "${disable_transports%,}"
}
loggers: {
    disable = "libjanus_jsonlog.so"
}
events: {
    broadcast = false
    disable = "${disable_events%,}"
}
EOF
cat > "$work/janus.plugin.videoroom.jcfg" <<EOF
general: {
    admin_key = "$admin_key"
    lock_rtp_forward = true
    string_ids = true
}
EOF
cat > "$work/janus.transport.websockets.jcfg" <<EOF
general: {
    json = "compact"
    ws = true
    ws_port = $port
    ws_ip = "127.0.0.1"
    wss = false
}
admin: {
    admin_ws = false
    admin_wss = false
}
EOF

LD_PRELOAD="$work/libloopback-only.so" setsid janus -F "$work" -C "$work/janus.jcfg" -o > "$work/janus.log" 2>&1 &
janus_pid=$!
for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
done
janus_version=$(dpkg-query -W -f '${Version}' janus 2>/dev/null || echo unknown)

stamp=$(date -u +%Y-%m-%dT%H%MZ)
out=${out:-bench/results/$stamp-video-capacity.md}
{
    echo "# Janus VideoRoom capacity, $stamp"
    echo
    echo "Machine: $(nproc) cores, $(uname -r); janus $janus_version; node $(node --version); $seconds s per case, $workers subscriber processes."
    echo "The machine is shared with other engineers' builds: read the load average beside each row."
    echo
    echo '| cameras | height | kb/s each | teacher kb/s | viewers | each sees | streams received | frames expected | frames lost | packets NACKed | UDP receive-buffer drops (machine) | Janus CPU (% of a core) | publishers CPU | subscribers CPU | frames sent late | load average (before → during → after) |'
    echo '|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
} > "$out"

for case in $cases; do
    IFS=: read -r publishers height bitrate teacher viewers see <<< "$case"
    teacher_arg=()
    [ "$teacher" != 0 ] && teacher_arg=(--teacher "$teacher")
    line=$(node --experimental-websocket --no-warnings bench/video-load/sfu-load.mjs --janus "ws://127.0.0.1:$port" --secret "$secret" \
        --admin-key "$admin_key" --publishers "$publishers" --height "$height" --bitrate "$bitrate" "${teacher_arg[@]}" \
        --subscribers "$viewers" --see "$see" --seconds "$seconds" --workers "$workers" --janus-pid "$janus_pid" | tail -1) || line=""
    echo "$case → $line" >&2
    [ -n "$line" ] || { echo "| $publishers | $height | $((bitrate / 1000)) | $((teacher / 1000)) | $viewers | $see | failed: see stderr | | | | | | | | | |" >> "$out"; continue; }
    python3 - "$line" >> "$out" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
print(f"| {r['publishers']} | {r['height']} | {r['bitrate'] // 1000} | {r['teacherBitrate'] // 1000} | {r['viewers']} | {r['see']} | "
      f"{r['streamsReceived']} (missing {r['streamsMissing']}) | {r['framesExpected']:,} | {r['framesLostPercent']} % | {r['nacks']:,} | {r['udpReceiveBufferDrops']:,} | "
      f"{r['janusCpuPercentOfACore']} | {r['publisherCpuPercentOfACore']} | {r['subscriberCpuPercentOfACore']} | {r['framesSentLate']} | "
      f"{' → '.join(str(l) for l in r['loadAverage'])} |")
EOF
done
cat "$out"
