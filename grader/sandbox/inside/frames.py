"""The frames a child writes to its channel: a little-endian (size, kind) header, then data.

The grader reads them as untrusted input (`grader.sandbox.protocol`); the sizes here are
the caps it enforces.
"""
from __future__ import annotations

import os
import struct

READY, IMPORTED, IMPORT_ERROR, BEGIN, OUTCOME, DONE, CRASH = b"RIEBODX"
JOB, IDLE = b"JW"  # to and from the warm worker (`worker`): a job, and ready for the next one
HEADER = struct.Struct("<IB")

# The most a frame of each kind may hold. An outcome carries tensors; the course's are
# kilobytes, so 8 MiB leaves room for any honest answer and bounds what one call costs
# the grader. A job holds a submission of at most 1 MiB, in base64, and its calls.
MAX_FRAME = {READY: 64 << 10, IMPORTED: 64 << 10, IMPORT_ERROR: 64 << 10, BEGIN: 1 << 10,
             OUTCOME: 8 << 20, DONE: 0, CRASH: 16 << 10, IDLE: 0, JOB: 4 << 20}


def write_frame(fd: int, kind: int, payload: bytes = b"") -> None:
    data = HEADER.pack(len(payload), kind) + payload
    while data:
        data = data[os.write(fd, data):]
