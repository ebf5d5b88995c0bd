#!/usr/bin/env bash
# Cluster-mode fault figures (not a timed test): runs the fault tests of
# tests/IoTMonitor.Gateway.Tests/Cluster/ClusterBroker_Tests (3 RabbitMQ nodes, 2 gateway processes,
# InfluxDB, a fleet of 12 MQTT 3.1.1 devices x 150 QoS 1 batches; kill -9 of one broker node, then of one
# gateway replica, mid-burst) BENCH_REPEATS times (1) and prints each run's figures: messages
# acknowledged per second, the largest pause in the fleet's PUBACKs after the fault, the time until the
# killed replica's consumers are gone from every partition, and when every reading was stored.
# The tests themselves assert that every acknowledged reading is stored exactly once.
# Needs: dotnet, influxd, rabbitmq-server (scripts/install-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project="$root/tests/IoTMonitor.Gateway.Tests/IoTMonitor.Gateway.Tests.csproj"
dotnet build "$project" -c Release -nologo -clp:ErrorsOnly >/dev/null
mkdir -p "$root/bench/results"
out="$root/bench/results/cluster-$(date -u +%Y%m%dT%H%M%SZ).txt"
for run in $(seq 1 "${BENCH_REPEATS:-1}"); do
  echo "== run $run ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$out"
  dotnet test "$project" -c Release --no-build --filter "FullyQualifiedName~Cluster.ClusterBroker_Tests" \
    --logger "console;verbosity=detailed" 2>&1 | tee -a "$out.log" \
    | grep -E "^\s*(Passed|Failed) |broker node kill:|gateway replica kill:|consumers per partition" | tee -a "$out"
done
echo "figures: $out (full log: $out.log)"
