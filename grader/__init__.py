"""tutor: exercises and an autograder for the PyTorch preliminaries of Dive into Deep Learning.

Installed as `d2l_tutor` (the folder is `grader/` in a checkout). The tree reads as the data
flow: `course` (the exercises) → `grading.cases` → `sandbox` (the student's code, jailed) →
`grading.judge` → `output`; `instructor` holds the class-wide tools, `cli` the commands.
"""
import os

__version__ = "0.1.0"

# Torch must stay single-threaded in any process we fork from: a child forked after a
# parallel op hangs in its first parallel op. The environment must be set before torch loads.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
