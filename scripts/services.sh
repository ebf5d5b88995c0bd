#!/usr/bin/env bash
# Starts and stops local InfluxDB and Mosquitto for the main job and the benchmarks.
# Plain background processes with their own config and PID files under .local/ (git-ignored);
# no systemd. Both listen on 127.0.0.1 only.
#
#   scripts/services.sh start influxdb|mosquitto|all
#   scripts/services.sh stop  influxdb|mosquitto|all
#   scripts/services.sh status
#
# Ports: IOTMON_INFLUX_PORT (default 8086), IOTMON_MOSQUITTO_PORT (default 1884; 1883 is left to the
# gateway's embedded broker). Data: IOTMON_LOCAL (default <repo>/.local).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
local_dir=${IOTMON_LOCAL:-$repo/.local}
influx_port=${IOTMON_INFLUX_PORT:-8086}
mqtt_port=${IOTMON_MOSQUITTO_PORT:-1884}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() { # host port seconds what
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "services: $4 did not open $1:$2 within $3 s (log: $local_dir/$4/$4.log)" >&2
  return 1
}

start_influxdb() {
  local dir=$local_dir/influxdb pid=$local_dir/influxdb/influxd.pid
  command -v influxd >/dev/null || { echo "services: influxd missing — run scripts/install-deps.sh" >&2; exit 1; }
  if pid_alive "$pid"; then echo "influxdb already running (pid $(cat "$pid")) on 127.0.0.1:$influx_port"; return; fi
  mkdir -p "$dir"/{meta,data,wal}
  cat >"$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((influx_port + 2))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$influx_port"
  log-enabled = false
  max-body-size = 0
CONF
  nohup influxd -config "$dir/influxdb.conf" >"$dir/influxdb.log" 2>&1 &
  echo $! >"$pid"
  wait_port 127.0.0.1 "$influx_port" 30 influxdb
  echo "influxdb running (pid $(cat "$pid")) on http://127.0.0.1:$influx_port"
}

start_mosquitto() {
  local dir=$local_dir/mosquitto pid=$local_dir/mosquitto/mosquitto.pid
  local bin; bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  [ -x "$bin" ] || { echo "services: mosquitto missing — run scripts/install-deps.sh" >&2; exit 1; }
  if pid_alive "$pid"; then echo "mosquitto already running (pid $(cat "$pid")) on 127.0.0.1:$mqtt_port"; return; fi
  mkdir -p "$dir/data"
  cat >"$dir/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
user $(id -un)
persistence true
persistence_location $dir/data/
log_dest stdout
CONF
  nohup "$bin" -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
  echo $! >"$pid"
  wait_port 127.0.0.1 "$mqtt_port" 15 mosquitto
  echo "mosquitto running (pid $(cat "$pid")) on mqtt://127.0.0.1:$mqtt_port"
}

stop_one() { # name
  local pid=$local_dir/$1/$( [ "$1" = influxdb ] && echo influxd || echo mosquitto ).pid
  if pid_alive "$pid"; then
    local p; p=$(cat "$pid")
    kill "$p" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    echo "$1 stopped"
  fi
  rm -f "$pid"
}

status_one() {
  local pid=$local_dir/$1/$( [ "$1" = influxdb ] && echo influxd || echo mosquitto ).pid
  if pid_alive "$pid"; then echo "$1: running (pid $(cat "$pid"))"; else echo "$1: stopped"; fi
}

action=${1:-status}; what=${2:-all}
case "$action:$what" in
  start:influxdb) start_influxdb ;;
  start:mosquitto) start_mosquitto ;;
  start:all) start_influxdb; start_mosquitto ;;
  stop:influxdb|stop:mosquitto) stop_one "$what" ;;
  stop:all) stop_one influxdb; stop_one mosquitto ;;
  status:*) status_one influxdb; status_one mosquitto ;;
  *) echo "usage: scripts/services.sh start|stop|status [influxdb|mosquitto|all]" >&2; exit 2 ;;
esac
