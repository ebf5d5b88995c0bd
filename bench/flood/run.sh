#!/usr/bin/env bash
# Flash-flood warning time at default settings: a Chicago design storm (3 h, ~100 mm) replayed
# through a virtual water node (firmware core, the water schedule 900-s sampling / 3600-s upload,
# event mode at the flash-flood defaults of docs/config.md: 60-s sampling and upload every wake,
# tipping bucket counted by the PCF8593 model through the core's rain-pcf8593 driver; 300x
# simulated time) against the real gateway (embedded broker, real influxd started by the test
# fixture). For each warning level it prints
#   - the simulated moment the storm's continuous rainfall crossed the critical value, and the
#     reading that showed it (sampling: at most one event-mode interval, 60 s sim);
#   - real seconds from the start of the node's wake that took that reading to the notice leaving
#     the gateway (the virtual node's loopback upload, broker, WAL fsync, engine, outbox to InfluxDB);
#   - the warning time: sampling + 13 s (the node's wake on hardware, firmware/README.md) + that;
#   - the gateway's rain sum against the gauge's tips.
# The test fails when a level's warning time reaches 2 minutes or an event-mode sampling is skipped.
#   bench/flood/run.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
out="$(mktemp)"
log="$(mktemp)"
trap 'rm -f "$out" "$log"' EXIT
dotnet build tests/IoTMonitor.EndToEnd.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
for i in $(seq 1 "$runs"); do
  echo "run $i/$runs" >>"$out"
  FLOOD_BENCH_OUT="$out" dotnet test tests/IoTMonitor.EndToEnd.Tests -c Release --no-build -nologo \
    --filter "FullyQualifiedName~StormReplay_Tests" >"$log" 2>&1 || { cat "$out"; grep -A12 "Error Message" "$log"; echo "run $i failed"; exit 1; }
done
cat "$out"
