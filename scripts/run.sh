#!/usr/bin/env bash
# The main job: InfluxDB, the gateway (embedded MQTT broker) and a simulated mixed fleet of virtual
# nodes on sites named after real western basins and irrigation districts. Prints the URLs; Ctrl+C
# stops everything this script started. Safe to run again (the fleet's device configs and the
# gateway's registry are kept under .local/).
#
#   scripts/run.sh
#
# Environment (all optional):
#   IOTMON_HTTP_PORT    gateway HTTP port (API, dashboard, metrics)   default 8080
#   IOTMON_MQTT_PORT    embedded broker port                          default 1883
#   IOTMON_INFLUX_PORT  InfluxDB HTTP port (scripts/services.sh)      default 8086
#   IOTMON_DEVICES      virtual nodes                                  default 36
#   IOTMON_SPEEDUP      simulated seconds per real second             default 60
#   IOTMON_DURATION     stop after this long (e.g. 10m)               default: until Ctrl+C
#   IOTMON_LOCAL        state folder                                   default <repo>/.local
# A busy default port is replaced by the next free one (and said so).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export IOTMON_LOCAL=${IOTMON_LOCAL:-$repo/.local}
local_dir=$IOTMON_LOCAL
mkdir -p "$local_dir"

say() { printf '\033[1mrun:\033[0m %s\n' "$*"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # wanted-port name -> prints a free port (the wanted one if free)
  local p=$1
  while port_busy "$p"; do p=$((p + 1)); done
  if [ "$p" != "$1" ]; then say "port $1 ($2) is busy; using $p" >&2; fi
  echo "$p"
}

gateway_pid=""
sim_pid=""
started_influx=0

cleanup() {
  local rc=$?
  trap - INT TERM EXIT
  set +e
  if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null # graceful: the fleet stops its wakes and disconnects
    for _ in $(seq 100); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$sim_pid" 2>/dev/null
  fi
  if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
    say "stopping the gateway (pid $gateway_pid)"
    kill -TERM "$gateway_pid" 2>/dev/null
    for _ in $(seq 150); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$gateway_pid" 2>/dev/null
  fi
  rm -f "$local_dir/gateway/gateway.pid"
  if [ "$started_influx" = 1 ]; then
    say "stopping InfluxDB"
    scripts/services.sh stop influxdb
  fi
  say "stopped everything run.sh started"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. What the machine needs (Debian packages; the .NET SDK must be there already).
scripts/install-deps.sh

# 2. InfluxDB (our own instance, data under .local/influxdb).
if ! scripts/services.sh status | grep -q 'influxdb: running'; then
  export IOTMON_INFLUX_PORT=$(free_port "${IOTMON_INFLUX_PORT:-8086}" influxdb)
  scripts/services.sh start influxdb
  started_influx=1
else
  export IOTMON_INFLUX_PORT=${IOTMON_INFLUX_PORT:-8086}
  say "InfluxDB already running (left running at the end)"
fi
influx_url=http://127.0.0.1:$IOTMON_INFLUX_PORT

# 3. A gateway left over from an earlier run that was killed hard.
if [ -f "$local_dir/gateway/gateway.pid" ] && kill -0 "$(cat "$local_dir/gateway/gateway.pid")" 2>/dev/null; then
  say "stopping a gateway left from an earlier run (pid $(cat "$local_dir/gateway/gateway.pid"))"
  kill -TERM "$(cat "$local_dir/gateway/gateway.pid")" 2>/dev/null || true
  sleep 2
fi
http_port=$(free_port "${IOTMON_HTTP_PORT:-8080}" "gateway HTTP")
mqtt_port=$(free_port "${IOTMON_MQTT_PORT:-1883}" "MQTT broker")

# 4. Build.
say "building the gateway and iotmon (Release)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build gateway/IoTMonitor.Gateway/IoTMonitor.Gateway.csproj -c Release -nologo -clp:ErrorsOnly -v quiet
dotnet build gateway/IoTMonitor.Cli/IoTMonitor.Cli.csproj -c Release -nologo -clp:ErrorsOnly -v quiet
gateway_dll=$repo/gateway/IoTMonitor.Gateway/bin/Release/net10.0/IoTMonitor.Gateway.dll
iotmon=$repo/gateway/IoTMonitor.Cli/bin/Release/net10.0/iotmon.dll

# 5. Admin key (generated once, kept in .local/admin.key, readable by you only).
key_file=$local_dir/admin.key
if [ ! -s "$key_file" ]; then
  (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$key_file")
  say "generated an admin API key in $key_file"
fi

# 6. The gateway with its embedded broker, in the background.
mkdir -p "$local_dir/gateway"
gateway_log=$local_dir/gateway/gateway.log
say "starting the gateway (log: $gateway_log)"
dotnet "$gateway_dll" \
  --urls="http://127.0.0.1:$http_port" \
  --Gateway:DataDir="$local_dir/gateway" \
  --Mqtt:BindAddress=127.0.0.1 --Mqtt:Port="$mqtt_port" \
  --Storage:Url="$influx_url" \
  --Api:AdminKey="$(cat "$key_file")" \
  >>"$gateway_log" 2>&1 &
gateway_pid=$!
echo "$gateway_pid" >"$local_dir/gateway/gateway.pid"
for i in $(seq 600); do
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    echo "run: the gateway exited; last lines of $gateway_log:" >&2
    tail -n 30 "$gateway_log" >&2
    exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/health" 2>/dev/null || true)
  if [ "$code" != 000 ] && [ -n "$code" ] && port_busy "$mqtt_port"; then
    break
  fi
  sleep 0.1
done

gw=http://127.0.0.1:$http_port
cat <<EOF

  IoTMonitor is running
    dashboard     $gw/
    API           $gw/api/v1/sites   (key: header X-Api-Key: \$(cat $key_file))
    API docs      $gw/docs
    metrics       $gw/metrics
    health        $gw/health
    MQTT broker   mqtt://127.0.0.1:$mqtt_port (devices: user = device id, password = its secret)
    InfluxDB      $influx_url  (database iotmon; e.g. curl -G $influx_url/query --data-urlencode 'db=iotmon' --data-urlencode 'q=SELECT count(seq) FROM water')
    CLI           dotnet $iotmon devices --gateway $gw --api-key-file $key_file

  Starting the simulated fleet (${IOTMON_DEVICES:-36} nodes, ${IOTMON_SPEEDUP:-60}x). Ctrl+C stops everything.

EOF

# 7. The fleet (provisions through the API; on a re-run reuses the configs and each node's flash
#    under .local/fleet, so boot counters, sequence numbers and queued readings carry on).
sim_args=(simulate --gateway "$gw" --api-key-file "$key_file" --mqtt-host 127.0.0.1 --mqtt-port "$mqtt_port"
  --profile mix --devices "${IOTMON_DEVICES:-36}" --speedup "${IOTMON_SPEEDUP:-60}" --state-dir "$local_dir/fleet" --flash-files)
if [ -n "${IOTMON_DURATION:-}" ]; then sim_args+=(--duration "$IOTMON_DURATION"); fi
dotnet "$iotmon" "${sim_args[@]}" &
sim_pid=$!
wait "$sim_pid"
