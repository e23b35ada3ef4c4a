"""The class jail's zygote: a fresh interpreter that imports torch once for a whole class and
forks, for each student, a fork server in a world of that student's own (see `apart`).
Its first message from the grader says what to import besides torch, as a server's does.

It never runs student code, never holds a reference, and is not dumpable. The grader sends
it {"student": n} with one end of a new socket attached; the fork made for that student
answers on that socket exactly as a fork server does (`server._serve`), or says
{"refused": why} when the kernel will not give it namespaces of its own.
"""
from __future__ import annotations

import json
import os
import socket
import sys

from . import apart, confine, server


def main(sock_fd: str, scratch_bytes: str) -> None:
    confine.not_dumpable()
    sock = socket.socket(fileno=int(sock_fd))
    server.prepare(lambda: server.told_preload(sock))
    sock.sendall(json.dumps({"ready": os.getpid(), "apart": _can_part(int(scratch_bytes))}).encode())
    while True:
        _reap()
        data, fds, _, _ = socket.recv_fds(sock, 1 << 10, 1)
        if not data:
            return  # the grader has gone, and with this process the whole jail
        if not fds:
            continue
        if os.fork() == 0:
            try:
                sock.close()
                _student(socket.socket(fileno=fds[0]), int(scratch_bytes))
            finally:
                os._exit(0)
        os.close(fds[0])


def _reap() -> None:
    """Students' worlds that have ended. Waited for, not ignored: a process's CPU time counts
    towards its parent's only once it is waited for, and `bench/` measures it so."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _student(sock: socket.socket, scratch_bytes: int) -> None:
    """In the fork for one student: its own namespaces, then a fork server as their init
    (the first process in a new PID namespace is the one whose exit ends it)."""
    try:
        proc = apart.enter(scratch_bytes)
    except OSError as exc:
        sock.sendall(json.dumps({"refused": str(exc)}).encode())
        return
    pid = os.fork()
    if pid == 0:
        try:
            server._serve(sock, proc)
        finally:
            os._exit(0)
    sock.close()
    os.close(proc)
    os.waitpid(pid, 0)


def _can_part(scratch_bytes: int) -> str | None:
    """None when a student's world can be made here, else why not."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            os.close(apart.enter(scratch_bytes))
            os.write(write, b"ok")
        except OSError as exc:
            os.write(write, str(exc).encode()[:500])
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        said = f.read().decode("utf-8", "replace")
    os.waitpid(pid, 0)
    return None if said == "ok" else said or "the test of a student's world died"


if __name__ == "__main__":
    main(*sys.argv[1:])
