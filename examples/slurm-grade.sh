#!/usr/bin/env bash
# Grade a class as a Slurm job array: each array task grades one shard of the students
# (`tutor grade --shard auto` reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
# SLURM_ARRAY_TASK_COUNT). From the course folder, with tutor installed:
#   job=$(sbatch --parsable examples/slurm-grade.sh)
#   sbatch --dependency=afterany:$job --wrap "tutor gradebook merge grades/shard-*/grades.csv --out grades.csv"
# The merge names any shard that did not finish.
#SBATCH --job-name=tutor-grade
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
set -euo pipefail
SUBMISSIONS="${SUBMISSIONS:-submissions}"
SOLUTIONS="${SOLUTIONS:-solutions}"
OUT="${OUT:-grades}"
tutor grade "$SUBMISSIONS"/* --shard auto --seed 1 --jobs "${SLURM_CPUS_PER_TASK:-1}" \
  --solutions "$SOLUTIONS" --out "$OUT/shard-$SLURM_ARRAY_TASK_ID"
