#!/bin/sh
# Run by the flink-submit service of docker/compose.yaml: submits the bronze-cdc streaming job to the session cluster
# (flink run -d). A job that already runs is left alone; otherwise the newest retained checkpoint in the shared volume,
# if any, is restored (flink run -s), so the job resumes exactly where the last one stopped: nothing lost or doubled.
# Without one the job starts fresh, and its main refuses (exit 2, nothing changed) when bronze already holds rows.
set -eu
master=jobmanager:8081
config=/etc/bronze-cdc/pipeline-flink.yaml
jar=/opt/bronze-cdc/flink-pipeline-job.jar

waited=0
until flink list -m "$master" >/dev/null 2>&1; do
  [ "$waited" -lt 120 ] || { echo "submit-job: no JobManager at $master after 120 s" >&2; exit 1; }
  sleep 2; waited=$((waited + 2))
done
if flink list -r -m "$master" 2>/dev/null | grep -q ' : bronze-cdc '; then
  echo "submit-job: a bronze-cdc job is already running; nothing to submit"
  exit 0
fi

# The newest chk-<n> directory that holds its _metadata (a checkpoint in progress has none yet).
checkpoint=""
for dir in $(ls -dt /opt/flink/checkpoints/*/chk-* 2>/dev/null); do
  if [ -f "$dir/_metadata" ]; then checkpoint="$dir"; break; fi
done
if [ -n "$checkpoint" ]; then
  echo "submit-job: resuming from $checkpoint"
  exec flink run -d -m "$master" -s "file://$checkpoint" -c io.bronzecdc.flink.BronzeCdcJob "$jar" --config "$config"
fi
echo "submit-job: no retained checkpoint; starting the job fresh"
exec flink run -d -m "$master" -c io.bronzecdc.flink.BronzeCdcJob "$jar" --config "$config"
