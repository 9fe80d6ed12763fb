#!/usr/bin/env bash
# The datagram-audio spike (docs/decisions/0011): headless Chromium sends audio-sized blocks every 2.667 ms over a
# WebRTC data channel through a Janus of its own and over a WebSocket, each through the same seeded link profile
# (docs/benchmarks.md §3), and prints one-way and round-trip figures side by side. Everything stays on 127.0.0.1.
#   bench/datagram-audio/run.sh [--seconds 15] [--seed 1] [--profiles clean-lan,1-loss,5-ms-jitter-1-loss]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command -v janus >/dev/null || { echo "janus is not installed (apt-get install janus)"; exit 1; }
command -v gcc >/dev/null || { echo "gcc is needed for the loopback shim (apt-get install gcc libc6-dev)"; exit 1; }
dotnet build "$here/DatagramAudioBench.csproj" -c Release -nologo -v q
mkdir -p "$repo/bench/results"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
exec "$here/bin/Release/net10.0/DatagramAudioBench" --repo "$repo" --results "$repo/bench/results/$stamp-datagram-audio.md" "$@"
