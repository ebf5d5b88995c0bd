#!/usr/bin/env bash
# Throughput of 1 vs 2 gateway replicas in cluster mode, with the CPU accounting (not a timed test):
# bench/cluster/ReplicaBench starts a 3-node RabbitMQ cluster, PostgreSQL and InfluxDB on loopback,
# fills the 8 partition queues from BENCH_DEVICES MQTT devices with BENCH_WINDOW QoS 1 publishes in
# flight each, then lets 1, then 2 gateway processes drain the backlog (the gateways, not PUBACK
# round trips, set the pace) and prints per run: drain rate, CPU seconds per 1,000 messages of each
# gateway process and of the broker nodes (utime+stime from /proc/<pid>/stat), each replica's
# deliveries, readings stored (must be every one, once), the load average; then the 2:1 ratio.
# Knobs: BENCH_MESSAGES (60000), BENCH_DEVICES (100), BENCH_SITES (25: alerts are evaluated per site), BENCH_WINDOW (16),
# BENCH_REPEATS (1), BENCH_VERBOSE=1 (when the alert partitions changed hands). Also printed per replica: alert groups,
# batches evaluated, batches handed off to the replica evaluating their site, alert partitions held at the end.
# Needs: dotnet, influxd, rabbitmq-server, postgresql (scripts/install-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$here/ReplicaBench" -c Release -nologo -clp:ErrorsOnly >/dev/null
mkdir -p "$root/bench/results"
out="$root/bench/results/cluster-replicas-$(date -u +%Y%m%dT%H%M%SZ).txt"
dotnet "$here/ReplicaBench/bin/Release/net10.0/ReplicaBench.dll" | tee "$out"
echo "figures: $out"
