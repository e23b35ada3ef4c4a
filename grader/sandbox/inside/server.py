"""The fork server: a fresh interpreter, started by the grader (inside the jail where there
is one), that imports torch once and forks a child for each job it is sent (or one warm
child for many, `worker.serve`); or, in the class jail, one student's fork of the zygote
(`zygote`), serving the same way.

It never runs student code and never holds a reference solution: it is exec'd with a clean
environment, and what it knows is the jobs (inputs and the submission's bytes). It is not
dumpable, so its children cannot read or write its memory. It talks to the grader over
one Unix socket (SOCK_SEQPACKET). The grader starts it before it has read its course, and
sends {"preload": [module, ...]} first, once it knows what the inputs need; the server says
{"ready": pid} once those are imported. Then the grader sends {"request": n} with the job
as an attached file descriptor, {"warm": n} for a child that runs many jobs (a class's
student's, see `worker.serve`), and {"kill": pid}; it answers
{"request": n, "pid": pid} with the read end of the child's channel attached (and, for a
warm child, the write end of its jobs), and {"ended": pid, "code": c}.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
from typing import Callable, Iterable

from . import child, confine, worker
from .frames import JOB, MAX_FRAME



def main(sock_fd: str) -> None:
    confine.not_dumpable()
    sock = socket.socket(fileno=int(sock_fd))
    prepare(lambda: told_preload(sock))
    _serve(sock)


def told_preload(sock: socket.socket) -> list[str]:
    """The modules the grader's first message names (none if it has gone)."""
    try:
        message = json.loads(sock.recv(1 << 12) or b"{}")
        return [name for name in message.get("preload", []) if isinstance(name, str)]
    except (OSError, ValueError, AttributeError):
        return []


def prepare(preload: Callable[[], Iterable[str]]) -> None:
    """What every child needs, done once here: torch and the modules the inputs need
    imported, and nothing left for a child's garbage collector to copy. `preload` tells
    the latter, asked last: the grader reads its course while this imports torch."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    import torch

    torch.set_num_threads(1)
    # torch reads the CPU's features from /proc on its first operation: here, while there is
    # a /proc (a student's world covers it, see `apart`).
    torch.ones(1).sum()
    # What every child runs, imported once here rather than in each child: finding
    # libseccomp alone takes tens of ms. (encodings.ascii: how the child reads its /proc;
    # numpy.ctypeslib: how safetensors encodes a tensor.)
    import encodings.ascii  # noqa: F401
    import resource  # noqa: F401

    import numpy.ctypeslib  # noqa: F401

    from . import encode, monitor, observe, products, recipes  # noqa: F401
    try:
        import pyseccomp  # noqa: F401
    except Exception:
        pass  # each child's facts will say there is no syscall filter
    confine.compile_filter()
    for module in preload():  # what the inputs need (pandas)
        try:
            importlib.import_module(module)
        except ImportError:
            pass  # making the inputs that need it will say so, case by case
    # Nothing here is garbage to collect, and a collection in a child would write to (and so
    # copy) most of the pages it shares with this process.
    gc.freeze()
    gc.disable()
    os.dup2(devnull, 2)
    os.close(devnull)


def _serve(sock: socket.socket, proc: int | None = None) -> None:
    """Answer the grader until it hangs up. `proc`: a descriptor on a /proc this process no
    longer shows (see `apart`), for each child's account of its confinement."""
    sock.sendall(json.dumps({"ready": os.getpid()}).encode())
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select() through the pipe
    children: dict[int, str] = {}  # pid -> scratch folder
    spare = None
    while True:
        ready = select.select([sock, wake_read], [], [], None if spare else 0.0)[0]
        if wake_read in ready:
            os.read(wake_read, 512)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            scratch = children.pop(pid, None)
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
            sock.sendall(json.dumps({"ended": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
        if sock not in ready:
            spare = spare or _waiting_child(proc)
            continue
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 1)
        if not data:
            return  # the grader has gone (and the spare reads an empty job, and exits)
        message = json.loads(data)
        if "kill" in message:
            if message["kill"] in children:
                os.kill(message["kill"], signal.SIGKILL)
            continue
        if "warm" in message:
            scratch = tempfile.mkdtemp(prefix="run-")
            pid, jobs, channel = _forked([proc], lambda job_read, channel_write: worker.serve(
                job_read, channel_write, scratch, proc))
            children[pid] = scratch
            socket.send_fds(sock, [json.dumps({"request": message["warm"], "pid": pid}).encode()], [channel, jobs])
            os.close(channel)
            os.close(jobs)
            continue
        with os.fdopen(fds[0], "rb") as f:
            job = json.loads(f.read(MAX_FRAME[JOB]))
        (pid, job_fd, channel), spare = spare or _waiting_child(proc), None
        job["scratch"] = children[pid] = tempfile.mkdtemp(prefix="run-")
        with os.fdopen(job_fd, "wb") as out:
            out.write(json.dumps(job).encode())
        socket.send_fds(sock, [json.dumps({"request": message["request"], "pid": pid}).encode()], [channel])
        os.close(channel)


def _waiting_child(proc: int | None) -> tuple[int, int, int]:
    """A child that waits for its job: its pid, where to write the job, and its channel."""
    def run_job(job_read: int, channel_write: int) -> None:
        with os.fdopen(job_read, "rb") as f:
            data = f.read()
        if data:  # else the server has gone
            child.run(json.loads(data), channel_write, proc)
    return _forked([proc], run_job)


def _forked(keep: list, body: Callable[[int, int], None]) -> tuple[int, int, int]:
    """A child running body(jobs, channel) with nothing else open but `keep`: its pid, where
    to write its job(s), and the read end of its channel."""
    job_read, job_write = os.pipe()
    channel_read, channel_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            # Nothing open but its job, its channel and /proc (closed before the student's code
            # runs): the socket above all would let a student talk to the grader.
            low = 3
            for fd in sorted(fd for fd in (job_read, channel_write, *keep) if fd is not None):
                os.closerange(low, fd)
                low = fd + 1
            os.closerange(low, os.sysconf("SC_OPEN_MAX"))
            gc.enable()  # for what the student's code makes; what it inherits is frozen
            os.setsid()
            body(job_read, channel_write)
        finally:
            os._exit(0)
    os.close(job_read)
    os.close(channel_write)
    return pid, job_write, channel_read


if __name__ == "__main__":
    main(*sys.argv[1:])
