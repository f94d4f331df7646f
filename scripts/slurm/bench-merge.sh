#!/usr/bin/env bash
# Merges every shard folder of a sharded `mips bench` into $MIPS_BENCH_OUT/merged
# (benchmark.md, benchmark.csv, the stage tables and the records).
# Submitted by scripts/slurm/submit.sh as a job that depends on the whole array.
#SBATCH --job-name=mips-bench-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=00:10:00
#SBATCH --output=mips-bench-merge-%j.log
set -euo pipefail
MIPS="${MIPS:-mips}"
OUT="${MIPS_BENCH_OUT:-bench-shards}"
shopt -s nullglob
shards=("$OUT"/shard-*)
if [ ${#shards[@]} -eq 0 ]; then
    echo "no shard folders under $OUT" >&2
    exit 2
fi
exec "$MIPS" bench --out "$OUT/merged" --merge "${shards[@]}"
