#!/usr/bin/env bash
# Runs the cluster fault tests (issue 21: 3 RabbitMQ nodes, 2 gateway replicas, PostgreSQL, a webhook
# receiver; a broker node, a replica and PostgreSQL lost mid-burst, alone and together). They share one
# RabbitMQ cluster (a vhost each) but start replicas and PostgreSQL per test, so together they take several
# minutes: they run here, after scripts/test.sh, not inside it (.ci/run calls both). Prints one closing line
# "N passed, N failed".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$repo/TestResults-cluster
rm -rf "$results"
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/iotmon-test-cluster-XXXXXX")
export TMPDIR=$run_tmp

project=tests/IoTMonitor.Gateway.Tests/IoTMonitor.Gateway.Tests.csproj
dotnet build "$project" -c Release -nologo -clp:ErrorsOnly

status=0
dotnet test "$project" -c Release --no-build -nologo --filter "Category=ClusterFaults" \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=normal" "$@" || status=$?

passed=0; failed=0
if compgen -G "$results/*.trx" >/dev/null; then
  passed=$( { grep -ho '<UnitTestResult [^>]*outcome="Passed"' "$results"/*.trx || true; } | wc -l)
  failed=$( { grep -ho '<UnitTestResult [^>]*outcome="Failed"' "$results"/*.trx || true; } | wc -l)
fi
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "test-cluster: no test ran (filter Category=ClusterFaults matched nothing)" >&2
  status=1
fi
# No server a fixture started may outlive the run.
left=$(pgrep -af "$run_tmp/iotmon-(influxdb|mosquitto|postgres|rabbitmq)-" || true)
if [ -n "$left" ]; then
  echo "test-cluster: servers left running after the tests:" >&2; echo "$left" >&2
  pkill -9 -f "$run_tmp/iotmon-(influxdb|mosquitto|postgres|rabbitmq)-" || true
  status=1
fi
rm -rf "$run_tmp"
echo "$passed passed, $failed failed"
exit $status
