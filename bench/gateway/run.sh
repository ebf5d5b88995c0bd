#!/usr/bin/env bash
# Gateway benchmark (not a timed test). Everything on loopback: starts influxd, mosquitto (two: the
# bench config with max_inflight_messages 1000, and one with Mosquitto's default window for the drain
# check), the gateway (a separate process per run) and Node-RED, and stops them all at the end.
# Prints every figure of issue 5; the full output is also kept in bench/results/ (git-ignored).
# Knobs (environment): BENCH_MESSAGES (100000), BENCH_CONNECTIONS (200), BENCH_WINDOW (8),
# BENCH_REPEATS (3), BENCH_PACED_RATE (10000), BENCH_PACED_SECONDS (10), BENCH_DRAIN_MESSAGES (50000),
# BENCH_WARMUP (20000: two untimed bursts of this size warm each system under test first),
# BENCH_SKIP (comma list: direct,mosquitto,embedded,external,nodered,paced,drain),
# BENCH_GW_<NAME>=<value> (passed to the gateway process only as <NAME>=<value>, for experiments).
# Needs: dotnet, influxd, mosquitto, mosquitto_sub, node + npm (Node-RED is installed from
# bench/gateway/node-red/package-lock.json into node-red/node_modules on first run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ ",${BENCH_SKIP:-}," != *",nodered,"* && ! -f "$here/node-red/node_modules/node-red/red.js" ]]; then
  (cd "$here/node-red" && npm ci --no-audit --no-fund --loglevel=error)
fi
dotnet build "$here/LoadGen" -c Release -nologo -clp:ErrorsOnly >/dev/null
mkdir -p "$here/../results"
out="$here/../results/gateway-$(date -u +%Y%m%dT%H%M%SZ).txt"
BENCH_NODE_RED_DIR="$here/node-red" dotnet "$here/LoadGen/bin/Release/net10.0/LoadGen.dll" 2>&1 | tee "$out"
