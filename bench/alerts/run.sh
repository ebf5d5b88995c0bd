#!/usr/bin/env bash
# Threshold-crossing -> webhook latency: a node publishes a reading above the limit (MQTT QoS 1 to
# the gateway's embedded broker) and the clock stops when the webhook receiver on 127.0.0.1 gets
# the "opened" event. The path measured: broker -> decode -> WAL fsync -> PUBACK -> alert engine
# (SQLite transaction: alert + event + outbox) -> dispatcher -> HTTP POST.
#   bench/alerts/run.sh [crossings=200]
set -euo pipefail
cd "$(dirname "$0")"
dotnet run -c Release --project AlertsBench -- "${1:-200}"
