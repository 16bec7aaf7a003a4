#!/bin/sh
# litho: stage bin, work spec 5e3c1b2a9d8f7e6d5c4b3a29180716253443526170819a0b1c2d3e4f5a6b7c8d
scratch="${TMPDIR:-/tmp}/litho-exec-$SLURM_JOB_ID"
'/opt/litho' '--remote' 's3://b/p' --store "$scratch" exec --batch 1 5e3c1b2a9d8f7e6d5c4b3a29180716253443526170819a0b1c2d3e4f5a6b7c8d "${SLURM_ARRAY_TASK_ID:-0}"
status=$?
rm -rf "$scratch"
exit $status
