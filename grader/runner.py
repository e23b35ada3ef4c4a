"""Run a student's file in another process and collect its outcomes as data.

`Runner.run(job)` is the one interface the grader uses. A runner starts a child
process (`grader.child`), reads its framed messages with a deadline per call, and
survives anything the child does: a call that hangs is killed and reported, the
calls after it run in a fresh child, and a dying child costs only the call in flight.
How a child is started (and how strongly it is isolated) is the only thing a
runner variant changes.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import child as proto
from .confine import Note
from .feedback import said
from .harness import ErrorInfo, Outcome
from .model import Exercise
from .text import Text
from .wire import MAX_PAYLOAD, WireError, decode

STARTUP_TIMEOUT = 120.0  # a fresh interpreter importing torch on a slow laptop
IMPORT_TIMEOUT = 10.0
EXIT_GRACE = 2.0  # how long a child that stopped talking may take to exit
DEFAULT_LIMITS = {"memory_bytes": 4 << 30, "cpu_seconds": 120, "file_bytes": 64 << 20}


class GraderError(RuntimeError):
    """A fault in tutor itself (not in the submission)."""


@dataclass
class Job:
    exercise: Exercise
    student: Path
    seed: int
    calls: list[tuple[str, int]]
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    hide: tuple[Path, ...] = ()  # folders the student's code must not see (the reference solutions)


@dataclass
class RunReport:
    outcomes: dict[tuple[str, int], Outcome] = field(default_factory=dict)
    import_error: ErrorInfo | None = None  # the file raised while being imported
    import_failure: Text | None = None  # importing it hung or killed the process
    import_output: str = ""
    isolation: str = ""


@dataclass
class Started:
    job: "Job"
    report: "RunReport"
    pending: list
    child: "_Child | None" = None


class _Frames:
    """Frames from a child's pipe with a deadline: select() on POSIX (no threads, so forking
    stays safe), a reader thread on Windows where pipes cannot be selected."""

    def __init__(self, fd: int):
        self.fd, self.buf, self.eof = fd, bytearray(), False
        if os.name != "posix":
            self.chunks: queue.Queue = queue.Queue()
            threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        while True:
            data = os.read(self.fd, 1 << 20)
            self.chunks.put(data)
            if not data:
                return

    def _read(self, timeout: float) -> bool:
        if os.name == "posix":
            if not select.select([self.fd], [], [], timeout)[0]:
                return False
            data = os.read(self.fd, 1 << 20)
        else:
            try:
                data = self.chunks.get(timeout=timeout)
            except queue.Empty:
                return False
        if data:
            self.buf += data
        else:
            self.eof = True
        return True

    def next(self, timeout: float):
        """The next (kind, payload), None at end of stream; raises queue.Empty on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= proto.HEADER.size:
                size, kind = proto.HEADER.unpack_from(self.buf)
                if size > MAX_PAYLOAD:
                    raise WireError(f"a result of {size:,} bytes is over the {MAX_PAYLOAD:,}-byte limit")
                if len(self.buf) >= proto.HEADER.size + size:
                    payload = bytes(self.buf[proto.HEADER.size:proto.HEADER.size + size])
                    del self.buf[:proto.HEADER.size + size]
                    return kind, payload
            if self.eof:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise queue.Empty


class _Child:
    """A started child process: its frames, and how to end it."""

    def __init__(self, pid: int, fd: int, scratch: str, popen: subprocess.Popen | None = None,
                 server: "_ForkServer | None" = None):
        """`pid` and `fd` are the child's, or for a child asked of the fork `server`, the
        request's number and -1 until it is taken."""
        self.pid, self.fd, self.scratch, self.popen, self.server = pid, fd, scratch, popen, server
        self.frames = _Frames(fd) if fd >= 0 else None
        self.status: int | None = None

    def _started(self) -> None:
        if self.frames is None:
            self.pid, self.fd = self.server.take(self.pid)
            self.frames = _Frames(self.fd)

    def next(self, timeout: float):
        self._started()
        return self.frames.next(timeout)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code (negative: killed by that signal); None if still running after `timeout`."""
        if self.status is None:
            if self.popen is not None:
                try:
                    self.status = self.popen.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
            else:
                self.status = self.server.wait(self.pid, timeout)
        return self.status

    def kill(self):
        if self.frames is None:
            self._started()
        elif self.fd < 0:
            return  # killed already
        try:
            if self.status is not None:
                pass  # reaped: its id may be another process's by now
            elif os.name == "posix":
                os.killpg(self.pid, signal.SIGKILL)  # the whole group: no orphan survives
            else:
                self.popen.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass
        if self.server is None:
            self.wait()  # else the fork server reaps it: no need to wait for its exit
        os.close(self.fd)
        self.fd = -1
        shutil.rmtree(self.scratch, ignore_errors=True)

    def how_it_ended(self) -> Text:
        code = self.wait(EXIT_GRACE)
        if code is None:  # it closed our channel but lives on: end it
            self.kill()
            return said("closed channel")
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            why = {"SIGKILL": "memory limit", "SIGXCPU": "cpu limit", "SIGXFSZ": "file limit", "SIGSEGV": "crash"}.get(name)
            return said("killed", signal=name, why=said(why) if why else "")
        return said("exited", code=code)


def _failed(text: Text) -> Outcome:
    """The outcome of a call that could not finish, as the grader saw it."""
    return Outcome(failure=text.en, failure_text=text)


def _job_payload(job: "Job", calls: list, scratch: str) -> dict:
    # Absolute paths: the child works in its scratch directory.
    return {"exercise": str(Path(job.exercise.path).resolve()), "student": str(Path(job.student).resolve()),
            "seed": job.seed, "hide": [str(Path(p).resolve()) for p in job.hide],
            "calls": calls, "scratch": scratch, "limits": job.limits}


def _clean_env(scratch: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": scratch, "TMPDIR": scratch, "TEMP": scratch, "TMP": scratch,
        # A single thread: the workload is tiny, and results must not depend on thread count.
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if os.name == "nt":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
    return env


class Runner:
    """Runs a job's calls in children; subclasses say how a child is started."""

    isolation = ""

    def _spawn(self, payload: Callable[[str], dict]) -> _Child:
        """Start a child; `payload(scratch)` is what it is told to do."""
        raise NotImplementedError

    def probe(self, hide=()) -> list[Note]:
        """What confinement a child gets here, found by a child that confines itself and exits."""
        child = self._spawn(lambda scratch: {"probe": True, "scratch": scratch, "limits": dict(DEFAULT_LIMITS),
                                             "hide": [str(Path(p).resolve()) for p in hide]})
        try:
            frame = child.next(STARTUP_TIMEOUT)
        except (queue.Empty, WireError) as exc:
            raise GraderError(f"the sandbox did not start: {exc}") from None
        finally:
            child.kill()
        if frame is None or frame[0] != proto.READY:
            raise GraderError("the sandbox failed to start")
        return [Note(*note) for note in json.loads(frame[1])]

    def run(self, job: Job) -> RunReport:
        return self.finish(self.start(job))

    def abandon(self, started: "Started") -> None:
        """End a started job's child without collecting it."""
        if started.child is not None:
            started.child.kill()
            started.child = None

    def start(self, job: Job) -> "Started":
        """Start the job's first child; it runs while the caller starts others."""
        started = Started(job, RunReport(isolation=self.isolation), list(job.calls))
        if started.pending:
            started.child = self._spawn(lambda scratch: _job_payload(job, started.pending, scratch))
        return started

    def finish(self, started: "Started") -> RunReport:
        """Collect a started job's outcomes, restarting children after hangs and crashes."""
        job, report, pending = started.job, started.report, started.pending
        child = started.child
        while child is not None:
            try:
                going = self._session(job, child, pending, report)
            finally:
                child.kill()
            child = self._spawn(lambda scratch: _job_payload(job, pending, scratch)) if going and pending else None
        return report

    def _session(self, job: Job, child: _Child, pending: list, report: RunReport) -> bool:
        """Drive one child; False when nothing more can run (the import failed)."""
        try:
            frame = child.next(STARTUP_TIMEOUT)
        except WireError as exc:
            raise GraderError(str(exc)) from None
        except queue.Empty:
            raise GraderError("the sandbox did not start within two minutes") from None
        if frame is None or frame[0] != proto.READY:
            raise GraderError(f"the sandbox failed to start: {frame[1].decode() if frame else child.how_it_ended().en}")
        report.isolation = f"{self.isolation}, " + ", ".join(text for text, _ in json.loads(frame[1]))
        try:
            frame = child.next(IMPORT_TIMEOUT)
        except WireError as exc:
            report.import_failure = said("import unreadable", error=exc)
            return False
        except queue.Empty:
            report.import_failure = said("import timed out", seconds=IMPORT_TIMEOUT)
            return False
        if frame is None:
            report.import_failure = said("import died", how=child.how_it_ended())
            return False
        kind, payload = frame
        if kind == proto.INTERNAL:
            raise GraderError(payload.decode())
        if kind == proto.IMPORT_ERROR:
            data = json.loads(payload)
            report.import_output = data.pop("output")
            report.import_error = ErrorInfo(**data)
            return False
        report.import_output = json.loads(payload)["output"]
        current = None
        deadline = None
        while True:
            try:
                frame = child.next(max(0.0, deadline - time.monotonic()) if deadline else IMPORT_TIMEOUT)
            except WireError as exc:
                if current is None:
                    raise GraderError(str(exc)) from None
                self._finish(report, pending, current, _failed(said("unreadable result", error=exc)))
                return True
            except queue.Empty:
                if current is None:
                    raise GraderError("the sandbox stopped answering between calls") from None
                fn = job.exercise.function(current[0])
                self._finish(report, pending, current, _failed(said("timed out", seconds=fn.timeout)))
                # The same function would most likely hang again: report, don't wait again.
                for call in [c for c in pending if c[0] == current[0]]:
                    self._finish(report, pending, call, _failed(said("after a timeout", name=current[0])))
                return True
            if frame is None:
                if current is None:
                    raise GraderError(f"the sandbox ended unexpectedly: it {child.how_it_ended().en}")
                self._finish(report, pending, current, _failed(said("died in call", how=child.how_it_ended())))
                return True
            kind, payload = frame
            if kind == proto.BEGIN:
                current = tuple(json.loads(payload))
                deadline = time.monotonic() + job.exercise.function(current[0]).timeout
            elif kind == proto.OUTCOME and current is not None:
                try:
                    outcome = decode(payload)
                except WireError as exc:
                    outcome = _failed(said("unreadable result", error=exc))
                self._finish(report, pending, current, outcome)
                current, deadline = None, None
            elif kind == proto.DONE:
                return True
            elif kind == proto.INTERNAL:
                raise GraderError(payload.decode())

    @staticmethod
    def _finish(report: RunReport, pending: list, call: tuple, outcome: Outcome):
        report.outcomes[call] = outcome
        if call in pending:
            pending.remove(call)


class SubprocessRunner(Runner):
    """A fresh interpreter per child: works everywhere, costs a torch import per child."""

    isolation = "subprocess: own process group, wall-clock timeouts, rlimits, scratch dir, clean env"

    def _spawn(self, payload: Callable[[str], dict]) -> _Child:
        scratch = tempfile.mkdtemp(prefix="tutor-run-")
        proc = subprocess.Popen(
            [sys.executable, "-m", "grader.child"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=scratch, env=_clean_env(scratch), start_new_session=(os.name == "posix"),
        )
        proc.stdin.write((json.dumps(payload(scratch)) + "\n").encode())
        proc.stdin.close()
        fd = os.dup(proc.stdout.fileno())
        proc.stdout.close()
        return _Child(proc.pid, fd, scratch, popen=proc)


class _ForkServer:
    """A copy of the grader made once torch is imported, before any reference solution is
    loaded, whose only job is to fork the children and reap them.

    Forking there rather than in the grader keeps each fork's cost (tens of ms with torch
    loaded) off the grader's own work, which goes on meanwhile on another core, and nothing
    the grader loads later can reach a child. It hands back each child's channel as a file
    descriptor over a Unix socket, and tells each child's exit status when asked.
    """

    def __init__(self):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.ended: dict[int, int] = {}  # exit codes by pid
        self.started: dict[int, tuple[int, int]] = {}  # (pid, channel) by request number
        self.requests = 0
        # See _serve_forks. Left frozen here too: what exists now (torch, above all) lives as
        # long as the grader, and a collection that walked it would find nothing to free.
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                self.sock.close()
                _serve_forks(theirs)
            finally:
                os._exit(0)
        theirs.close()

    def fork(self, job: dict) -> int:
        """Ask for a child on `job`, without waiting: the number to `take` it by."""
        self.requests += 1
        try:
            self.sock.sendall(json.dumps({"request": self.requests, "job": job}).encode())
        except OSError as exc:
            raise GraderError(f"the process that starts sandboxes is gone ({exc})") from None
        return self.requests

    def take(self, request: int) -> tuple[int, int]:
        """The pid of the child asked for, and the read end of its channel."""
        while request not in self.started:
            self._receive(None)
        pid, channel = self.started.pop(request)
        # An exit code for this pid is an earlier child's (the server reaped that one, and
        # said so, before the pid could be reused): not this one's.
        self.ended.pop(pid, None)
        return pid, channel

    def wait(self, pid: int, timeout: float | None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.ended:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0 or self._receive(left) is None:
                return None
        return self.ended.pop(pid)

    def _receive(self, timeout: float | None) -> dict | None:
        """The next message (a started child, or one that ended); None on timeout."""
        if not select.select([self.sock], [], [], timeout)[0]:
            return None
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, 1)
        except OSError:
            data, fds = b"", []
        if not data:
            raise GraderError("the process that starts sandboxes is gone")
        message = json.loads(data)
        if "ended" in message:
            self.ended[message["ended"]] = message["code"]
        else:
            self.started[message["request"]] = (message["pid"], fds[0])
        return message


def _serve_forks(sock: socket.socket) -> None:
    """The fork server's loop: a child for each job received, an exit status for each child
    that ends, until the grader goes away. A spare child is forked ahead, while nothing is
    asked, so that a job waits for no fork."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # not to hold the grader's output open after it exits
        os.dup2(devnull, fd)
    # Nothing here is garbage to collect, and a collection in a child would write to (and
    # so copy) most of the pages it shares with this process: the children of
    # `check --all` use 0.6 s of CPU in all with this, 1.5 s without.
    gc.disable()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select() through the pipe
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
            sock.sendall(json.dumps({"ended": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
        if sock not in ready:
            spare = spare or _waiting_child()
            continue
        data = sock.recv(1 << 20)
        if not data:
            return  # the grader has exited (and the spare reads an empty job, and exits)
        request = json.loads(data)
        (pid, job_fd, channel), spare = spare or _waiting_child(), None
        with os.fdopen(job_fd, "wb") as job:
            job.write(json.dumps(request["job"]).encode())
        socket.send_fds(sock, [json.dumps({"request": request["request"], "pid": pid}).encode()], [channel])
        os.close(channel)


def _waiting_child() -> tuple[int, int, int]:
    """A child that waits for its job: its pid, where to write the job, and its channel."""
    job_read, job_write = os.pipe()
    channel_read, channel_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            # Nothing open but its job and its channel: the socket above all would let a
            # student talk to the grader.
            low = 3
            for fd in sorted((job_read, channel_write)):
                os.closerange(low, fd)
                low = fd + 1
            os.closerange(low, os.sysconf("SC_OPEN_MAX"))
            gc.enable()  # for what the student's code makes; what it inherits is frozen
            os.setsid()
            with os.fdopen(job_read, "rb") as f:
                data = f.read()
            if data:  # else the server has gone
                job = json.loads(data)
                notes = proto.enter_sandbox(job, _clean_env(job["scratch"]))
                proto.serve(job, channel_write, notes)
        except BaseException:
            import traceback

            proto.write_frame(channel_write, proto.INTERNAL, traceback.format_exc().encode())
        finally:
            os._exit(0)
    os.close(job_read)
    os.close(channel_write)
    return pid, job_write, channel_read


class ForkRunner(Runner):
    """Fork each child from a warm copy of this process that has already imported torch (Linux)."""

    isolation = "fork: own session, wall-clock timeouts, rlimits, scratch dir, clean env"

    def __init__(self, preload: Iterable[str] = ()):
        import torch

        torch.set_num_threads(1)
        # Imported once, before the fork server is made, rather than in every child: what
        # a child runs, libseccomp (finding it takes tens of ms), and `preload`, what the
        # inputs need (pandas), which the grader imports too for the references' inputs.
        from . import cases, harness, model, monitor, wire  # noqa: F401
        try:
            import pyseccomp  # noqa: F401
        except Exception:
            pass  # each child's report will say there is no syscall filter
        for module in sorted(preload):
            try:
                importlib.import_module(module)
            except ImportError:
                pass  # making the inputs that need it will say so, case by case
        self.server = _ForkServer()

    def _spawn(self, payload: Callable[[str], dict]) -> _Child:
        scratch = tempfile.mkdtemp(prefix="tutor-run-")
        return _Child(self.server.fork(payload(scratch)), -1, scratch, server=self.server)


def default_runner(preload: Iterable[str] = ()) -> Runner:
    """Fork where it is safe (Linux); a fresh interpreter elsewhere or when TUTOR_RUNNER=subprocess.
    `preload`: modules the jobs will import (see ForkRunner)."""
    choice = os.environ.get("TUTOR_RUNNER", "")
    if choice == "subprocess" or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return SubprocessRunner()
    return ForkRunner(preload)
