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

READY, IMPORTED, IMPORT_ERROR, BEGIN, OUTCOME, DONE, INTERNAL = b"RIEBODX"
HEADER = struct.Struct("<IB")


def write_frame(fd: int, kind: int, payload: bytes = b"") -> None:
    data = HEADER.pack(len(payload), kind) + payload
    while data:
        data = data[os.write(fd, data):]


def apply_limits(limits: dict) -> list[str]:
    """Set resource limits where the platform has them; return what could not be applied."""
    try:
        import resource
    except ImportError:  # Windows
        return ["memory, CPU time and file size (no resource module on this platform)"]
    missing = []
    wanted = [("RLIMIT_AS", limits.get("memory_bytes")), ("RLIMIT_CPU", limits.get("cpu_seconds")),
              ("RLIMIT_FSIZE", limits.get("file_bytes")), ("RLIMIT_CORE", 0)]
    for name, value in wanted:
        if value is None:
            continue
        which = getattr(resource, name, None)
        try:
            _, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError, TypeError):
            missing.append(name.replace("RLIMIT_", "").lower())
    return missing


def isolate_network() -> str:
    """Move this process into an empty network namespace (no interfaces, not even loopback)."""
    if not sys.platform.startswith("linux"):
        return "network open (no network namespaces on this platform)"
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    # As root a network namespace alone; otherwise inside a new user namespace, where allowed.
    for flags in (clone_newnet, clone_newuser | clone_newnet):
        if libc.unshare(flags) == 0:
            return "no network"
    return f"network open (unshare: {os.strerror(ctypes.get_errno())})"


def serve(job: dict, chan: int, notes: list[str]) -> None:
    """Run one job, writing frames to `chan`; `notes` say what isolation is in force."""
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

    torch.manual_seed(job["seed"])  # once per run: two calls in it still draw different numbers
    for name, index in job["calls"]:
        fn = exercise.function(name)
        write_frame(chan, BEGIN, json.dumps([name, index]).encode())
        out = run_call(module, fn, cases[name][index], monitor=monitors[name],
                       filename=job["student"], probes=probes_for(fn))
        write_frame(chan, OUTCOME, encode(out))
    write_frame(chan, DONE)


def protect_files(hide: list[str], readonly: list[str]) -> str:
    """In a private mount namespace, cover `hide` with an empty read-only tmpfs and make
    `readonly` read-only. Only this process and its children see the change."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]
    ms_rdonly, ms_remount, ms_bind, ms_rec, ms_private = 1, 32, 4096, 16384, 1 << 18

    def mount(source, target, fstype, flags, data=None):
        if libc.mount(source and os.fsencode(source), os.fsencode(target), fstype, flags, data) != 0:
            raise OSError(ctypes.get_errno(), f"mount {target}: {os.strerror(ctypes.get_errno())}")

    try:
        if libc.unshare(0x00020000) != 0:  # CLONE_NEWNS
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        mount("none", "/", None, ms_rec | ms_private)  # nothing we do here leaks out
        for path in hide:
            if os.path.isdir(path):
                mount("tmpfs", path, b"tmpfs", ms_rdonly, b"size=4k")
        for path in readonly:
            mount(path, path, None, ms_bind | ms_rec)
            mount(None, path, None, ms_bind | ms_remount | ms_rdonly)
    except OSError as exc:
        return f"solutions and course files not protected ({exc.strerror or exc})"
    return "solutions hidden, course read-only"


def enter_sandbox(job: dict, env: dict | None = None) -> list[str]:
    """Confine this process before any student code runs; say what could and could not be done."""
    # Read the submission first: it may live where the sandbox is about to hide (validate
    # grades the reference solutions themselves).
    with open(job["student"], "rb") as f:
        job["source"] = f.read()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the student's raw writes to 1 and 2 go nowhere
        os.dup2(devnull, fd)
    os.close(devnull)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    notes = [isolate_network()]
    if job.get("hide") or job.get("readonly"):
        if sys.platform.startswith("linux"):
            notes.append(protect_files(job.get("hide", []), job.get("readonly", [])))
        else:
            notes.append("solutions and course files not protected (no mount namespaces on this platform)")
    notes += [f"no {name} limit" for name in apply_limits(job.get("limits", {}))]
    os.chdir(job["scratch"])
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
