#!/usr/bin/env bash
# Scale bench: how many virtual nodes one machine runs against the gateway's embedded broker at a
# 1-minute interval, with the gateway's RSS and CPU. Ramps the fleet in steps; at each step every
# node samples and uploads once a minute in real time (speed-up 1) and keeps its MQTT connection
# open (--stay-connected), so "connected" is the number of live MQTT sessions the broker holds.
# Everything runs on 127.0.0.1 (own InfluxDB, own gateway, ports picked free); bounded in count
# and time. Prints one row per step and writes bench/results/fleet-<time>.txt.
#
#   bench/fleet/run.sh                 # steps 1000 2500 5000 10000 (about 20 min)
#   BENCH_STEPS="200 1000" bench/fleet/run.sh
#
# Per step: provision the new devices, start the fleet (first wakes spread over 60 s), wait until
# the broker holds every connection (at most BENCH_CONNECT_SEC, default 600 s; the row then shows
# how many made it), let it run 60 s more, then measure over 60 s: connected MQTT clients (gateway
# /metrics), telemetry messages/s and readings/s, gateway RSS (VmRSS) and CPU (utime+stime),
# simulator RSS.
# Secrets are hashed with PBKDF2 at 1000 iterations here (the default is 100,000) so that
# registering 10,000 devices takes seconds; the broker verifies a secret once per device and caches it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
steps=${BENCH_STEPS:-"1000 2500 5000 10000"}
connect_wait=${BENCH_CONNECT_SEC:-600}
max=${BENCH_MAX_NODES:-20000}
export IOTMON_LOCAL=$repo/.local/bench-fleet
rm -rf "$IOTMON_LOCAL"; mkdir -p "$IOTMON_LOCAL" bench/results
out=bench/results/fleet-$(date -u +%Y%m%dT%H%M%SZ).txt

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }
export IOTMON_INFLUX_PORT=$(free_port 18086)
http_port=$(free_port 18080)
mqtt_port=$(free_port 18883)
gw_pid=""; sim_pid=""
stop_pid() { # graceful, then forced after 20 s
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  stop_pid "$sim_pid"; stop_pid "$gw_pid"
  scripts/services.sh stop influxdb >/dev/null 2>&1 || true
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM

scripts/install-deps.sh >/dev/null
scripts/services.sh start influxdb >/dev/null
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build gateway/IoTMonitor.Gateway/IoTMonitor.Gateway.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >/dev/null
dotnet build gateway/IoTMonitor.Cli/IoTMonitor.Cli.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >/dev/null
key=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')

dotnet gateway/IoTMonitor.Gateway/bin/Release/net10.0/IoTMonitor.Gateway.dll \
  --urls="http://127.0.0.1:$http_port" --Gateway:DataDir="$IOTMON_LOCAL/gateway" \
  --Mqtt:BindAddress=127.0.0.1 --Mqtt:Port="$mqtt_port" \
  --Storage:Url="http://127.0.0.1:$IOTMON_INFLUX_PORT" --Api:AdminKey="$key" \
  --Registry:Pbkdf2Iterations=1000 --Access:RequestsPerMinute=1000000 --Access:Burst=100000 \
  --Logging:LogLevel:Default=Warning >"$IOTMON_LOCAL/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 300); do port_busy "$mqtt_port" && port_busy "$http_port" && break; sleep 0.1; done
port_busy "$mqtt_port" || { echo "bench: gateway did not start:"; tail -20 "$IOTMON_LOCAL/gateway.log"; exit 1; } >&2

tck=$(getconf CLK_TCK)
cpu_s() { awk -v t="$tck" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
metric() { curl -s -H "X-Api-Key: $key" "http://127.0.0.1:$http_port/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

{
  echo "IoTMonitor fleet bench — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr)"
  echo "gateway: embedded broker, InfluxDB 1.x local; nodes: iotmon simulate --speedup 1 --sample-sec 60 --upload-sec 60 --stay-connected (mix of water/soil/air)"
  printf '%8s %10s %9s %11s %13s %9s %12s\n' nodes connected "msg/s" "gw RSS MB" "gw CPU %" "sim RSS MB" "readings/s"
} | tee "$out"

for n in $steps; do
  [ "$n" -le "$max" ] || continue
  log=$IOTMON_LOCAL/sim-$n.log
  dotnet gateway/IoTMonitor.Cli/bin/Release/net10.0/iotmon.dll simulate --gateway "http://127.0.0.1:$http_port" --api-key "$key" \
    --mqtt-host 127.0.0.1 --mqtt-port "$mqtt_port" --devices "$n" --profile mix --speedup 1 --backfill 0s \
    --sample-sec 60 --upload-sec 60 --stay-connected --outages-per-day 0 --faulty-share 0 --start-spread 60s \
    --workers 256 --duration 2h --no-live --state-dir "$IOTMON_LOCAL/fleet" >"$log" 2>&1 &
  sim_pid=$!
  # wait for provisioning to finish and the fleet to start, then for every node to be connected
  for _ in $(seq 3000); do grep -q "simulated time starts" "$log" && break; kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.2; done
  t_start=$(date +%s)
  while [ $(($(date +%s) - t_start)) -lt "$connect_wait" ] && [ "$(metric iotmon_mqtt_connected_clients)" -lt "$n" ]; do sleep 2; done
  up=$(($(date +%s) - t_start))
  sleep 60
  c0=$(cpu_s "$gw_pid"); m0=$(metric iotmon_messages_received_total); r0=$(metric iotmon_readings_received_total); t0=$(date +%s.%N)
  sleep 60
  c1=$(cpu_s "$gw_pid"); m1=$(metric iotmon_messages_received_total); r1=$(metric iotmon_readings_received_total); t1=$(date +%s.%N)
  connected=$(metric iotmon_mqtt_connected_clients); grss=$(rss_mb "$gw_pid"); srss=$(rss_mb "$sim_pid" 2>/dev/null || echo "?")
  awk -v n="$n" -v c="$connected" -v m0="$m0" -v m1="$m1" -v r0="$r0" -v r1="$r1" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v g="$grss" -v s="$srss" \
    'BEGIN { dt = t1 - t0; printf "%8d %10d %9.1f %11d %13.1f %9s %12.1f\n", n, c, (m1 - m0) / dt, g, 100 * (c1 - c0) / dt, s, (r1 - r0) / dt }' | tee -a "$out"
  stop_pid "$sim_pid"
  sim_pid=""
  echo "  all connected $up s after the fleet started; $(grep '^stopped:' "$log" | sed 's/^stopped: //')" | tee -a "$out"
done
echo "gateway CPU % is of one core (100 % = one core busy). Results: $out" | tee -a "$out"
