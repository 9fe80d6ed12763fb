#!/usr/bin/env bash
# Does anything on the node disturb the mix? (docs/benchmarks.md §8, issue 17 item 3.) Runs `mix-isolation` (the node,
# with audience listeners and signed-in page users in processes of their own) once per GC/CPU variant, REPEATS times
# round-robin, then prints one table of medians. Raw output: bench/results/mix-isolation-<UTC time>.log.
#   dotnet build tests/Loki.Learning.Benchmarks -c Release && bench/mix-isolation.sh [REPEATS] [SECONDS] [LISTENERS] [USERS]
#   VARIANTS='default server' bench/mix-isolation.sh …   (a subset, by name)
#   VARIANTS='default child' bench/mix-isolation.sh 1 15 1000 100   (the engine in the node's process, then in its child
#   process, Media:Process = Child: decision 0010 step 6; the child's figures come from its control channel)
set -u
cd "$(dirname "$0")/.."
B=tests/Loki.Learning.Benchmarks/bin/Release/net10.0/Loki.Learning.Benchmarks.dll
repeats=${1:-3}; secs=${2:-20}; listeners=${3:-1000}; users=${4:-100}
log=bench/results/$(date -u +%Y-%m-%dT%H%MZ)-mix-isolation.log
# name|environment of the node|extra arguments
all=(
  "default||"
  "server|DOTNET_gcServer=1|"
  "nonconcurrent|DOTNET_gcConcurrent=0|"
  "gen0-64MB|DOTNET_GCgen0size=0x4000000|"
  "mixcpu1||--mix-cpu 1"
  "server-heap0-mixcpu1|DOTNET_gcServer=1 DOTNET_GCHeapAffinitizeMask=0x1|--mix-cpu 1"
  "child||--engine child"
)
chosen=()
for v in "${all[@]}"; do
  name=${v%%|*}
  if [ -z "${VARIANTS:-}" ] || [[ " $VARIANTS " == *" $name "* ]]; then chosen+=("$v"); fi
done
echo "mix-isolation: $repeats × ${#chosen[@]} variants, ${secs} s windows, $listeners listeners, $users page users; $(nproc) CPUs; started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$log"
for r in $(seq 1 "$repeats"); do
  for v in "${chosen[@]}"; do
    IFS='|' read -r name envs extra <<< "$v"
    echo "== repeat $r, $name, $(date -u +%T), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
    # shellcheck disable=SC2086
    env $envs dotnet "$B" mix-isolation --listeners "$listeners" --users "$users" --seconds "$secs" --label "$name" $extra 2>&1 \
      | grep --line-buffered -aE "^mix-isolation|^  " | tee -a "$log"
  done
done
echo "finished $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
echo
python3 - "$log" "$secs" <<'PY'
import re, statistics, sys
log, secs = sys.argv[1], float(sys.argv[2])
expected = secs * 48000 / 128
rows, alone, last = {}, {}, None
for line in open(log, encoding="utf-8"):
    m = re.match(r"mix-isolation: (\S+) \| (.+?) \| periods (\d+) \| late (\d+) \(([\d.]+)%\) \| longest ([\d.]+) ms \(([\d.]+) periods\) \| over 4 ms (\d+) \| node CPU ([\d.]+) cores \| GC (\d+)/(\d+)/(\d+) paused (\d+) ms \| load ([\d.]+)→([\d.]+)", line)
    if m:
        last = (m[1], re.sub(r"\d+ listeners", "listeners", re.sub(r"\d+ page users", "page users", m[2])))
        periods, late = int(m[3]), int(m[4])
        rows.setdefault(last, []).append(dict(late=100.0 * late / expected, lost=100.0 * (late + max(0, expected - periods)) / expected,
            longest=float(m[7]), cpu=float(m[9]), gc=int(m[10]) + int(m[11]) + int(m[12]), paused=int(m[13]), load=(float(m[14]) + float(m[15])) / 2))
        continue
    a = re.search(r"engine alone .*?late (\d+) of (\d+) periods \(([\d.]+)%\)", line)
    if a and last:
        alone.setdefault(last, []).append(float(a[3]))
med = statistics.median
def span(xs, f):
    return f.format(med(xs)) + ("" if len(xs) == 1 else " (" + f.format(min(xs)) + "–" + f.format(max(xs)) + ")")
print("| variant | window | runs | late, % | late or skipped, % | longest gap, periods | node GCs / paused ms | node CPU, cores | load avg | engine alone: late, % |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for (variant, window), rs in rows.items():
    print(f"| {variant} | {window} | {len(rs)} | {span([r['late'] for r in rs], '{:.2f}')} | {span([r['lost'] for r in rs], '{:.2f}')} | {span([r['longest'] for r in rs], '{:.0f}')} | "
          f"{med([r['gc'] for r in rs]):.0f} / {med([r['paused'] for r in rs]):.0f} | {med([r['cpu'] for r in rs]):.2f} | {med([r['load'] for r in rs]):.0f} | "
          f"{span(alone.get((variant, window), [float('nan')]), '{:.2f}')} |")
PY
