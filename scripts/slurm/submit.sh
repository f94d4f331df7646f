#!/usr/bin/env bash
# Submits a sharded `mips bench` to Slurm: an array of N shards, then a merge job that runs
# once every shard has succeeded. Usage: submit.sh N [mips bench arguments...]
# e.g.  MIPS_BENCH_OUT=$PWD/bench scripts/slurm/submit.sh 8 --models models
set -euo pipefail
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 N [mips bench arguments...]   (N: number of shards, >= 1)" >&2
    exit 2
fi
shards="$1"
shift
here="$(cd "$(dirname "$0")" && pwd)"
export MIPS="${MIPS:-mips}" MIPS_BENCH_OUT="${MIPS_BENCH_OUT:-$PWD/bench-shards}"
array=$(sbatch --parsable --export=ALL --array="1-$shards" "$here/bench-array.sh" "$@")
merge=$(sbatch --parsable --export=ALL --dependency="afterok:${array%%;*}" "$here/bench-merge.sh")
echo "array job $array ($shards shards), merge job $merge; results in $MIPS_BENCH_OUT/merged"
