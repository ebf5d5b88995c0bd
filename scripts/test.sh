#!/usr/bin/env bash
# Runs every IoTMonitor test: installs what the tests need, builds the solution (including the
# nanoFramework conformance build of the firmware core), runs all test projects against real
# servers the fixtures start, and prints one closing line "N passed, N failed".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh --browser

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$repo/TestResults
rm -rf "$results"
# The fixtures put their servers' data dirs under the temp folder: a folder of this run's own lets
# the check below see exactly the servers this run started (not another run's on the same machine).
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/iotmon-test-run-XXXXXX")
export TMPDIR=$run_tmp

dotnet build IoTMonitor.sln -c Release -nologo -clp:ErrorsOnly

status=0
# One style: the code must be as `dotnet format` leaves it (a difference fails the run, named).
if ! dotnet format IoTMonitor.sln --verify-no-changes --no-restore; then
  echo "test: not dotnet-format clean (run: dotnet format IoTMonitor.sln)" >&2
  status=1
fi
# The cluster fault tests (a whole RabbitMQ cluster, replicas and PostgreSQL per test) run in scripts/test-cluster.sh.
dotnet test IoTMonitor.sln -c Release --no-build -nologo --filter "Category!=ClusterFaults" \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=minimal" "$@" || status=$?

passed=0; failed=0
if compgen -G "$results/*.trx" >/dev/null; then
  # count test results only (a run's <ResultSummary> also carries an outcome attribute)
  # (grep exits 1 when nothing matches, which pipefail would turn into the script's exit)
  passed=$( { grep -ho '<UnitTestResult [^>]*outcome="Passed"' "$results"/*.trx || true; } | wc -l)
  failed=$( { grep -ho '<UnitTestResult [^>]*outcome="Failed"' "$results"/*.trx || true; } | wc -l)
fi
# Make sure no server a fixture started outlived the run.
left=$(pgrep -af "$run_tmp/iotmon-(influxdb|mosquitto|postgres|rabbitmq)-" || true)
if [ -n "$left" ]; then
  echo "test: servers left running after the tests:" >&2; echo "$left" >&2
  pkill -9 -f "$run_tmp/iotmon-(influxdb|mosquitto|postgres|rabbitmq)-" || true
  status=1
fi
rm -rf "$run_tmp"
echo "$passed passed, $failed failed"
exit $status
