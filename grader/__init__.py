"""The tutor grading engine."""
import os

# Torch must stay single-threaded in any process we fork from: a child forked after a
# parallel op hangs in its first parallel op. The environment must be set before torch loads.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
