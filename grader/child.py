"""The process that runs a student's code: imports the file, runs the calls, streams outcomes.

It talks to the grader only through framed messages on a private copy of its stdout;
the student's prints go to per-call buffers and anything written to the real file
descriptors goes nowhere. Everything the student can break is in this process.
"""
from __future__ import annotations

import json
import os
import struct
import sys

from . import confine

READY, IMPORTED, IMPORT_ERROR, BEGIN, OUTCOME, DONE, INTERNAL = b"RIEBODX"
HEADER = struct.Struct("<IB")


def write_frame(fd: int, kind: int, payload: bytes = b"") -> None:
    data = HEADER.pack(len(payload), kind) + payload
    while data:
        data = data[os.write(fd, data):]


def serve(job: dict, chan: int, notes: list) -> None:
    """Run one job, writing frames to `chan`; `notes` say what isolation is in force."""
    if job.get("probe"):  # only asked what confinement it got
        write_frame(chan, READY, json.dumps(notes).encode())
        return
    import torch

    torch.set_num_threads(1)
    from .cases import expand_all
    from .harness import _CappedWriter, error_info, load_module, probes_for, run_call
    from .model import load_exercise
    from .monitor import monitor_for
    from .wire import encode

    write_frame(chan, READY, json.dumps(notes).encode())
    exercise = load_exercise(__import__("pathlib").Path(job["exercise"]))
    cases = expand_all(exercise, job["seed"])
    monitors = {fn.name: monitor_for(fn) for fn in exercise.functions}
    for monitor in monitors.values():
        if monitor:
            monitor.install()

    writer = _CappedWriter()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = writer
    try:
        module = load_module(job["student"], "submission", source=job["source"])
    except BaseException as exc:
        sys.stdout, sys.stderr = saved
        info = error_info(exc, job["student"])
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
    for name, index in job["calls"]:
        fn = exercise.function(name)
        write_frame(chan, BEGIN, json.dumps([name, index]).encode())
        out = run_call(module, fn, cases[name][index], monitor=monitors[name],
                       filename=job["student"], probes=probes_for(fn))
        write_frame(chan, OUTCOME, encode(out))
    write_frame(chan, DONE)


def enter_sandbox(job: dict, env: dict | None = None) -> list:
    """Confine this process before any student code runs; say what could and could not be done."""
    # Read the submission first: it may live where the sandbox is about to hide (validate
    # grades the reference solutions themselves).
    if "student" in job:
        with open(job["student"], "rb") as f:
            job["source"] = f.read()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the student's raw writes to 1 and 2 go nowhere
        os.dup2(devnull, fd)
    os.close(devnull)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    notes = [confine.isolate_network(), confine.confine_files(job["scratch"], job.get("hide", []))]
    notes += confine.apply_limits(job.get("limits", {}))
    os.chdir(job["scratch"])
    notes.append(confine.filter_syscalls())  # last: the steps above need the calls it denies
    return notes


def main() -> None:
    job = json.loads(sys.stdin.readline())
    chan = os.dup(1)  # frames go to a private descriptor
    notes = enter_sandbox(job)
    try:
        serve(job, chan, notes)
    except Exception:  # a bug of ours: hand the traceback to the grader rather than vanish
        import traceback

        write_frame(chan, INTERNAL, traceback.format_exc().encode())
    finally:
        os._exit(0)  # skip atexit handlers and thread joins the student may have left behind


if __name__ == "__main__":
    main()
