#!/bin/bash
# Veil with GNU parallel (README "Beyond one machine: shards"): `veil detect` in N shards at once, then `veil commit` in
# N shards at once, then `veil verify` and `veil status --require committed`. On one machine each shard is a process
# (give each its share of the cores); across machines add `--sshlogin` (and `--workdir .`): the dataset must then be on
# a shared filesystem every machine mounts at the same path (README "What the shared filesystem must provide").
# Shard i of N (0-based) works on the files whose path hashes to i.
#
#   docs/shards/gnu-parallel.sh /shared/photos 4
# Settings, from the environment:
#   VEIL_CLI  how to run veil (default: `veil` when it is on PATH, else `npx --no-install veil`: never a download)
#   VEIL_BATCH_REASON  why the commit may leave possible faces unreviewed (recorded in the audit log)
set -euo pipefail

dataset=${1:?usage: gnu-parallel.sh <dataset> [shards, default 4]}
shards=${2:-4}
: "${VEIL_BATCH_REASON:=batch without review: gnu-parallel.sh run by ${USER:-$(id -un)}}"
if [ -n "${VEIL_CLI:-}" ]; then
  veil=$VEIL_CLI
elif command -v veil >/dev/null 2>&1; then
  veil=veil
else
  veil='npx --no-install veil'
fi
# ONNX Runtime threads per shard: the machine's cores shared out, at least one.
VEIL_ORT_THREADS=$(( $(nproc) / shards > 0 ? $(nproc) / shards : 1 ))
export VEIL_ORT_THREADS

# --halt now,fail=1: the first failed shard stops the others (each resumes where it stopped when run again).
# $veil may be several words (npx --no-install veil): it is split on purpose; -q hands each word (a dataset path
# with spaces too) to the shard as one argument.
# shellcheck disable=SC2086
seq 0 $((shards - 1)) | parallel -q --halt now,fail=1 --line-buffer --tag $veil detect "$dataset" --shard {}/"$shards"
# --include-unreviewed commits the model's boxes on images nobody reviewed, and --allow-possible-faces leaves the
# detections the model doubted unpainted, for the reason given (both in the audit log); drop them to commit only
# reviewed images.
# shellcheck disable=SC2086
seq 0 $((shards - 1)) | parallel -q --halt now,fail=1 --line-buffer --tag $veil commit "$dataset" --include-unreviewed \
  --allow-possible-faces --reason "$VEIL_BATCH_REASON" --shard {}/"$shards"
# shellcheck disable=SC2086
$veil verify "$dataset"
# shellcheck disable=SC2086
$veil status "$dataset" --require committed
