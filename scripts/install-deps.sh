#!/usr/bin/env bash
# Installs what IoTMonitor needs on a fresh Debian machine, idempotently.
#   scripts/install-deps.sh            servers and clients the tests and the main job use
#   scripts/install-deps.sh --browser  also Chromium, for the dashboard's browser tests
# Skips whatever is already present; needs root only when something is missing.
set -euo pipefail

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "install-deps: unknown option '$arg' (known: --browser)" >&2; exit 2 ;;
  esac
done

# binary (or, for a library, an absolute path it installs) -> Debian package that provides it
declare -A needs=(
  [influxd]=influxdb
  [influx]=influxdb-client
  [mosquitto]=mosquitto
  [mosquitto_pub]=mosquitto-clients
  [mosquitto_sub]=mosquitto-clients
  [/usr/lib/python3/dist-packages/aiosmtpd]=python3-aiosmtpd   # real SMTP server of the alerts tests
  [ss]=iproute2                                                   # a gateway test reads its socket's buffer
  [node]=nodejs                                                   # the gateway's build vendors the dashboard's
  [npm]=npm                                                       #   libraries from the npm registry (npm ci)
  [pg_lsclusters]=postgresql                                      # shared-state tests: temporary clusters (initdb, postgres)
  [/usr/lib/rabbitmq/bin/rabbitmq-server]=rabbitmq-server         # cluster-mode tests: 3-node RabbitMQ 3.10 (MQTT plugin, quorum queues)
)
if [ "$want_browser" = 1 ]; then
  needs[chromium]=chromium
  needs[chromedriver]=chromium-driver
  # Chinese glyphs for the dashboard's zh pages (the browser tests check they are not missing-glyph boxes)
  needs[/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]=fonts-noto-cjk
fi

missing=()
for bin in "${!needs[@]}"; do
  if [[ "$bin" == /* ]]; then
    [ -e "$bin" ] || missing+=("${needs[$bin]}")
  elif ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then
    missing+=("${needs[$bin]}")
  fi
done
# unique package names
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK is required (dotnet not on PATH). Install it, then run this again." >&2
  exit 1
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: everything present."
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages may try to start system services; IoTMonitor runs its own instances on its
# own ports (scripts/services.sh), so stop any that came up to keep the default ports free.
for svc in influxdb mosquitto postgresql rabbitmq-server; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
# rabbitmq-server's postinst may leave Erlang's port mapper running on 4369; the tests run their own
if command -v epmd >/dev/null 2>&1; then epmd -kill >/dev/null 2>&1 || true; fi
echo "install-deps: done."
