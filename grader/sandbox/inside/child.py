"""One job in one process: confine, import the submission from the bytes sent, make the
calls, send back what was observed.

The job is plain data from the grader: the submission's bytes (never a path into the
course), the seed, limits, and for each call its function and input recipe. It holds no
reference solution and no expected value. The process talks to the grader only through
frames on `chan`; the student's prints go to per-call buffers and anything written to the
real file descriptors goes nowhere.
"""
from __future__ import annotations

import base64
import json
import os
import sys

from . import confine
from .frames import BEGIN, CRASH, DONE, IMPORT_ERROR, IMPORTED, OUTCOME, READY, write_frame

MODULE = "submission"


def run(job: dict, chan: int, proc: int | None = None, facts: dict | None = None) -> dict:
    """Everything a child does, from confinement to its last frame; never returns normally
    from student code's point of view (the caller exits the process without cleanup).
    `proc`: a descriptor on the /proc its world covers, closed before the student's code runs.
    `facts`: the account of its confinement a process that runs many jobs gave before its
    first (the grader reads only that one); returned, for the next job."""
    source = base64.b64decode(job["source"])
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the student's raw writes to 1 and 2 go nowhere
        os.dup2(devnull, fd)
    os.close(devnull)
    scratch = job["scratch"]
    os.chdir(scratch)
    os.environ.update(HOME=scratch, TMPDIR=scratch, TEMP=scratch, TMP=scratch)
    try:
        confine.drop_root(scratch)
        confine.apply_limits(job["limits"])
        why_no_filter = confine.filter_syscalls()  # last: the steps above need calls it denies
        if facts is None:
            facts = confine.facts(job.get("unreachable", []), scratch, proc)
            facts["filter_error"] = why_no_filter
    finally:  # whatever failed: a warm child goes on to a student's code
        if proc is not None:
            os.close(proc)
    write_frame(chan, READY, json.dumps(facts).encode())
    if job.get("probe"):
        return facts
    try:
        _serve(job, source, chan)
    except BaseException as exc:  # ours or the student's doing: the grader treats it as untrusted text
        from .observe import error_info

        info = error_info(exc, None)
        write_frame(chan, CRASH, f"{info.type}: {info.message}"[:4000].encode("utf-8", "replace"))
    return facts


def _serve(job: dict, source: bytes, chan: int) -> None:
    import torch

    from .encode import encode
    from .monitor import Monitor
    from .observe import Outcome, _CappedWriter, error_info, load_module, run_call
    from .recipes import Call

    monitors = {name: Monitor(**spec) for name, spec in job["monitors"].items()}  # calls, allow, uses
    for monitor in monitors.values():
        monitor.install()
    filename = job["filename"]
    writer = _CappedWriter()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = writer
    try:
        module = load_module(filename, MODULE, source=source)
    except BaseException as exc:
        sys.stdout, sys.stderr = saved
        info = error_info(exc, filename)
        payload = {"type": info.type, "bases": info.bases, "message": info.message, "line": info.line,
                   "output": writer.text()}
        write_frame(chan, IMPORT_ERROR, json.dumps(payload).encode())
        return
    sys.stdout, sys.stderr = saved
    write_frame(chan, IMPORTED, json.dumps({"output": writer.text()}).encode())

    # Once per run: two calls in it still draw different numbers. The CPU generator, the one
    # a run uses: torch.manual_seed also queues CUDA's, with a stack trace read from the
    # source files (3 ms in a fresh child).
    torch.default_generator.manual_seed(job["seed"])
    for name, index, spec in job["calls"]:
        call = Call(spec["function"], spec["recipe"], spec["repeat"], tuple(spec["probes"]))
        write_frame(chan, BEGIN, json.dumps([name, index]).encode())
        out = run_call(module, call, monitor=monitors.get(name), filename=filename)
        try:
            data = encode(out)
        except BaseException as exc:  # a value snapshot() let through but safetensors refuses
            data = encode(Outcome(failure=f"returned a value that cannot be sent ({type(exc).__name__})"))
        write_frame(chan, OUTCOME, data)
    write_frame(chan, DONE)
