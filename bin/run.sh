#!/usr/bin/env sh
# The Exercism test-runner interface: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR grades the
# solution in INPUT_DIR, writes OUTPUT_DIR/results.json (version 3) and exits 0 whatever
# the tests' status. PYTHON picks the interpreter; TUTOR_SOLUTIONS the references.
root="$(cd "$(dirname "$0")/.." && pwd)"
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec "${PYTHON:-python3}" -m grader.instructor.exercism "$@"
