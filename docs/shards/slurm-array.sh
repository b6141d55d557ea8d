#!/bin/bash
# Veil on Slurm (README "Beyond one machine: shards"): `veil detect` as a job array of 4 shards, then `veil commit` as
# a second array that starts once every detect task succeeded, then `veil verify` and `veil status --require committed`
# once every commit task succeeded. Task i works on shard i of n (SLURM_ARRAY_TASK_ID, 0-based, of
# SLURM_ARRAY_TASK_COUNT): the files whose path hashes to i. Each task writes its own segment under .veil/segments/,
# with no lock another task takes, folded into the dataset's one review log and one audit log every few seconds and at
# its end (a lock file held a moment).
#
# Submit from a login node (this script submits itself three times, one stage each):
#   DATASET=/shared/photos bash docs/shards/slurm-array.sh
# The dataset must be on a shared POSIX filesystem every node mounts at the same path, where link(2) is atomic, fsync
# reaches the server and close-to-open consistency holds (NFSv4.1 `hard`, without `nocto`; Lustre, GPFS, CephFS): see
# README "What the shared filesystem must provide". Add its recipients first (`veil keygen --add-to` on a custodian's
# machine, which keeps the identity): no identity is needed here, nothing here decrypts.
# Settings, from the environment:
#   DATASET   the dataset folder (required)
#   VEIL_CLI  how to run veil (default: `veil` when it is on PATH, else `npx --no-install veil`: never a download)
#   VEIL_BATCH_REASON  why the commit may leave possible faces unreviewed (recorded in the audit log)
#
#SBATCH --job-name=veil
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=veil-%x-%A_%a.out
set -euo pipefail

: "${DATASET:?set DATASET to the dataset folder on the shared filesystem}"
if [ -n "${VEIL_CLI:-}" ]; then
  veil=$VEIL_CLI
elif command -v veil >/dev/null 2>&1; then
  veil=veil
else
  veil='npx --no-install veil'
fi
: "${VEIL_BATCH_REASON:=batch without review: Slurm job ${SLURM_ARRAY_JOB_ID:-submitted by ${USER:-$(id -un)}}}"
# ONNX Runtime threads = the cores Slurm gave the task: no oversubscription of a shared node.
export VEIL_ORT_THREADS=${SLURM_CPUS_PER_TASK:-2}

# $veil may be several words (npx --no-install veil): it is split on purpose below.
# shellcheck disable=SC2086
case "${VEIL_STAGE:-submit}" in
  submit)
    detect=$(sbatch --parsable --job-name=veil-detect --export=ALL,VEIL_STAGE=detect "$0")
    commit=$(sbatch --parsable --job-name=veil-commit --dependency=afterok:"$detect" --export=ALL,VEIL_STAGE=commit "$0")
    check=$(sbatch --parsable --job-name=veil-check --array=0 --dependency=afterok:"$commit" --export=ALL,VEIL_STAGE=check "$0")
    echo "submitted: detect $detect, commit $commit (after detect), check $check (after commit)"
    ;;
  detect)
    $veil detect "$DATASET" --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}"
    ;;
  commit)
    # --include-unreviewed commits the model's boxes on images nobody reviewed (a batch without review), and
    # --allow-possible-faces leaves the detections the model doubted unpainted, for the reason given (both in the audit
    # log); drop them to commit only what people reviewed between the two arrays (submit the stages by hand then).
    # Exit 3: files left as they were, each listed: the check stage does not start.
    $veil commit "$DATASET" --include-unreviewed --allow-possible-faces --reason "$VEIL_BATCH_REASON" \
      --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}"
    ;;
  check)
    # The merged audit trail and every committed image, as one process sees them; then the gate (exit 5 while any
    # image is not committed, each listed in the JSON document, kept beside the job's output).
    $veil verify "$DATASET"
    $veil status "$DATASET" --require committed --json > "veil-status-${SLURM_ARRAY_JOB_ID:-local}.json"
    ;;
  *)
    echo "slurm-array.sh: unknown VEIL_STAGE '${VEIL_STAGE}' (submit, detect, commit or check)" >&2
    exit 2
    ;;
esac
