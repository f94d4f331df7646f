#!/usr/bin/env bash
# One array task of a sharded `mips bench`: runs shard $SLURM_ARRAY_TASK_ID of
# $SLURM_ARRAY_TASK_COUNT into $MIPS_BENCH_OUT/shard-$SLURM_ARRAY_TASK_ID.
# Submit with scripts/slurm/submit.sh (see docs/cluster.md); extra arguments go to `mips bench`.
#SBATCH --job-name=mips-bench
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=mips-bench-%A_%a.log
set -euo pipefail
: "${SLURM_ARRAY_TASK_ID:?run as an array job (sbatch --array=1-N)}"
: "${SLURM_ARRAY_TASK_COUNT:?run as an array job (sbatch --array=1-N)}"
MIPS="${MIPS:-mips}"
OUT="${MIPS_BENCH_OUT:-bench-shards}"
exec "$MIPS" bench \
    --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" \
    --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --resume \
    --out "$OUT/shard-$SLURM_ARRAY_TASK_ID" \
    "$@"
