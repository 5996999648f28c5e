#!/bin/sh
# Submit one organization scan: N shard jobs (an array job) and the merge after all of them.
#   deploy/aws-batch/submit.sh QUEUE_ARN 8
# Each shard exits 0 when it produced its report (FAIL/UNKNOWN findings included); the merge's
# exit code is the scan's (0 clean, 1 failing findings, 3 incomplete: missing shards or UNKNOWN).
set -eu
queue="$1"
shards="${2:-8}"
run="$(date -u +%Y%m%dT%H%M%SZ)"
array=$(aws batch submit-job --job-name "dynaguard-scan-$run" --job-queue "$queue" \
  --job-definition dynaguard-scan-shard --array-properties "size=$shards" \
  --parameters "shards=$shards,run=$run" --query jobId --output text)
aws batch submit-job --job-name "dynaguard-merge-$run" --job-queue "$queue" \
  --job-definition dynaguard-merge --depends-on "jobId=$array" \
  --parameters "run=$run" --query jobId --output text
