"""Grader side: run a submission's calls in the sandbox and collect its outcomes as data.

`Runner.start(job)` / `Runner.finish(started)` are the one interface grading uses. A runner
asks its fork server (see `jail`) for a child per job, reads the child's frames with a
deadline per call, and survives anything the child does: a call that hangs is killed and
reported, the calls after it run in a fresh child, a child that dies or sends what the
protocol does not allow costs only the call in flight, and a server that dies is started
again. Nothing a child sends is trusted (`protocol`).
"""
from __future__ import annotations

import base64
import os
import queue
import select
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..messages.feedback import said
from ..messages.text import Text
from . import jail, protocol
from .inside.frames import BEGIN, CRASH, DONE, HEADER, IDLE, IMPORT_ERROR, IMPORTED, OUTCOME, READY
from .inside.observe import ErrorInfo, Outcome
from .jail import DEFAULT_LIMITS, STARTUP_TIMEOUT, GraderError, Note, Server, Worker
from .protocol import Malformed
from .submission import SubmissionError, read_submission

IMPORT_TIMEOUT = 10.0


def time_scale() -> float:
    """$TUTOR_TIME_SCALE: every time limit of a run multiplied by it (2 on a slow machine;
    the test suite's hang tests use less than 1, so as not to wait out real limits)."""
    raw = os.environ.get("TUTOR_TIME_SCALE", "").strip()
    try:
        scale = float(raw) if raw else 1.0
    except ValueError:
        scale = 0.0
    if not 0 < scale <= 100:
        raise GraderError(f"TUTOR_TIME_SCALE must be a number above 0 and at most 100, not {raw!r}")
    return scale
EXIT_GRACE = 2.0  # how long a child that stopped talking may take to exit
RESULT_BUDGET = 16 << 20  # result bytes accepted for one job: the grader's memory stays bounded


@dataclass
class Job:
    function_calls: list  # [(function, index, Call)]
    student: Path
    seed: int
    timeouts: dict  # function -> seconds
    monitors: dict = field(default_factory=dict)  # function -> {"calls": [...], "allow": [...]}
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    hide: tuple[Path, ...] = ()  # host paths the child must not reach (checked in its facts)

    @property
    def calls(self) -> list[tuple[str, int]]:
        return [(name, index) for name, index, _ in self.function_calls]


@dataclass
class RunReport:
    outcomes: dict[tuple[str, int], Outcome] = field(default_factory=dict)
    import_error: ErrorInfo | None = None  # the file raised while being imported
    import_failure: Text | None = None  # importing it hung, killed the process, or could not start
    import_output: str = ""
    source: bytes = b""  # the submission as sent to the sandbox
    notes: list[Note] = field(default_factory=list)
    tier: str = ""
    gave_up: str = ""  # why the jail could not be had, when this fell back

    @property
    def isolation(self) -> Text:
        return jail.isolation(self.tier, self.gave_up, self.notes)

    @property
    def complete(self) -> bool:
        """The jail held every property: nothing given up for the report to mention."""
        return self.tier == "jail" and bool(self.notes) and all(n.ok for n in self.notes)


@dataclass
class Started:
    job: Job
    report: RunReport
    pending: list
    source: bytes = b""
    child: "_Child | None" = None
    budget: int = RESULT_BUDGET


class _Frames:
    """Frames from a child's channel with a deadline, each checked against its kind's cap
    before it is read: select() on POSIX, a reader thread where pipes cannot be selected."""

    def __init__(self, fd: int):
        self.fd, self.buf, self.eof = fd, bytearray(), False
        if os.name != "posix":
            self.chunks: queue.Queue = queue.Queue(maxsize=64)
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
        """The next (kind, payload), None at end of stream; raises queue.Empty on timeout and
        Malformed for a frame of no known kind or over its cap."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= HEADER.size:
                size, kind = HEADER.unpack_from(self.buf)
                cap = protocol.frame_cap(kind)
                if cap is None:
                    raise Malformed("a frame of no known kind")
                if size > cap:
                    raise Malformed(f"a frame of {size:,} bytes, over the {cap:,}-byte limit")
                if len(self.buf) >= HEADER.size + size:
                    payload = bytes(self.buf[HEADER.size:HEADER.size + size])
                    del self.buf[:HEADER.size + size]
                    return kind, payload
            if self.eof:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise queue.Empty


def _idle(frames: "_Frames") -> bool:
    """After a job that ran to its end on the warm worker: True once it says it is ready for
    the next one."""
    try:
        while (frame := frames.next(EXIT_GRACE)) is not None:
            if frame[0] == IDLE:
                return True
            if frame[0] != DONE:
                return False
    except (queue.Empty, Malformed):
        pass
    return False


class _Child:
    """A started child process (or a job on the warm worker): its frames, and how to end it."""

    def __init__(self, server: Server | None, request: int = 0, worker: Worker | None = None,
                 scratch: str | None = None, grace: float = EXIT_GRACE):
        """A child the `server` forks on `request`, or a job of the warm `worker` working in
        `scratch` (removed when it ends; a server removes its children's itself). `grace`: how
        long it may take to exit once it stopped talking."""
        self.server, self.request, self.worker, self.scratch = server, request, worker, scratch
        self.grace = grace
        self.pid, self.fd, self.frames, self.status = -1, -1, None, None
        if worker is not None:
            if worker.frames is None:  # one reader for the worker's whole life (a thread, on Windows)
                worker.frames = _Frames(worker.fd)
            self.pid, self.fd, self.frames = worker.pid, worker.fd, worker.frames

    def _started(self) -> None:
        if self.frames is None:
            self.pid, self.fd = self.server.take(self.request)
            self.frames = _Frames(self.fd)

    def next(self, timeout: float):
        self._started()
        return self.frames.next(timeout)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code (negative: killed by that signal); None if still running after `timeout`."""
        if self.status is None:
            if self.worker is not None:
                self.status = self.worker.wait(timeout)
            else:
                self.status = self.server.wait(self.pid, timeout)
        return self.status

    def release(self) -> bool:
        """After a job that ran to its end: keep the warm worker for the next job, if it is
        ready for one (a forked child is never kept)."""
        if self.worker is None or not _idle(self.frames):
            return False
        self._cleaned()
        return True

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self._cleaned()
            return
        if self.frames is None:
            try:
                self._started()
            except GraderError:
                return
        if self.fd < 0:
            return  # killed already
        if self.status is None:  # once reaped, its pid may be another process's
            self.server.kill(self.pid)
        os.close(self.fd)
        self._cleaned()

    def _cleaned(self) -> None:
        self.fd = -1
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def how_it_ended(self) -> Text:
        code = self.wait(self.grace)
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


class Runner:
    """Runs jobs' calls in sandboxed children, started by the strongest tier available."""

    def __init__(self, kind: str | None = None, preload: Iterable[str] = (), masks: Iterable[Path] = (),
                 server: Server | None = None, warm: bool = False):
        """`server`: one started already (see `start_server`), else one is started now; told
        `preload` here unless it was told already. `warm`: its jobs run one after another in
        one child of the server (`jail.WarmChild`), as on the warm worker, not each in a fork
        of its own (for `tutor grade`, where students, not exercises, run side by side)."""
        self.kind = server.kind if server else kind or jail.tier()
        if server is not None:
            server.load(preload)
        self.preload = server.preload if server else sorted(preload)
        self.masks = server.masks if server else [Path(jail.PACKAGE), *masks]
        self.gave_up = ""  # why the jail could not be had (what bwrap said)
        self.server = server
        if self.server is None and self.kind != "subprocess":
            self.server = Server(self.kind, self.masks, self.preload)
        # Without a fork server (the subprocess tier), one warm worker runs the jobs one at a
        # time: `start` queues a job, `finish` runs it, and starts the next queued one (which
        # runs while the caller judges this one).
        self.worker = None
        self.warm = warm and self.kind != "subprocess"
        if self.kind == "subprocess":
            self.worker = server if isinstance(server, Worker) else Worker(self.preload)
            self.server = None
        self._queued: list[Started] = []
        self._running: Started | None = None
        self.time_scale = time_scale()

    @property
    def parallel(self) -> bool:
        """Whether jobs started together run side by side (else one at a time, in order)."""
        return self.kind != "subprocess" and not self.warm

    @property
    def tier(self) -> Text:
        return jail.isolation(self.kind, self.gave_up, [])

    def starting(self) -> bool:
        """The sandbox's server is still importing torch: time this process may use ahead."""
        return self.server is not None and self.server.starting()

    def _ready_server(self) -> Server:
        """The server, started again if it died, or in the process tier if no jail can be made
        (unless TUTOR_SANDBOX asked for the jail: then the jail or nothing)."""
        if self.server is not None and not self.server.ready:
            try:
                self.server.wait_ready()
            except GraderError:
                if self.server.zygote is not None:  # no world of its own in the class jail: a jail of its own
                    self.server = Server(self.kind, self.masks, self.preload)
                    return self._ready_server()
                if self.kind != "jail" or os.environ.get("TUTOR_SANDBOX") == "jail":
                    raise
                self.gave_up = self.server.why_gone()
                self.kind = "process"
                self.server = Server(self.kind, self.masks, self.preload)
                self.server.wait_ready()
        elif self.server is not None and not self.server.alive():
            # A student's server comes from the class's zygote again, any other is a fresh one.
            zygote = self.server.zygote
            self.server = zygote.server() if zygote else Server(self.kind, self.masks, self.preload)
            self.server.wait_ready()
        return self.server

    def _spawn(self, payload: dict) -> _Child:
        if self.parallel:
            server = self._ready_server()
            return _Child(server, server.fork(payload), grace=EXIT_GRACE * self.time_scale)
        scratch = None  # a warm child works in a scratch folder of its own, in its jail
        if self.kind == "subprocess":
            scratch = tempfile.mkdtemp(prefix="tutor-run-")
            if self.worker.user is not None:
                os.chown(scratch, self.worker.user, self.worker.user)
            payload = {**payload, "scratch": scratch}
        if not (self.worker is not None and self.worker.alive() and self.worker.send(payload)):
            if self.worker is not None:
                self.worker.kill()
            self.worker = Worker(self.preload) if self.kind == "subprocess" else self._ready_server().warm()
            self.worker.send(payload)
        return _Child(None, worker=self.worker, scratch=scratch, grace=EXIT_GRACE * self.time_scale)

    def probe(self, hide: Iterable[Path] = ()) -> list[Note]:
        """What confinement a child gets here, by a child that confines itself and exits."""
        child = self._spawn({"probe": True, "source": "", "limits": dict(DEFAULT_LIMITS),
                             "unreachable": [str(p) for p in hide]})
        try:
            frame = child.next(STARTUP_TIMEOUT)
        except (queue.Empty, Malformed) as exc:
            raise GraderError(f"the sandbox did not start: {exc}") from None
        finally:
            child.release() or child.kill()
        if frame is None or frame[0] != READY:
            raise GraderError("the sandbox failed to start")
        return jail.judge_facts(protocol.json_payload(frame[1]), DEFAULT_LIMITS)

    def gaps(self, hide: Iterable[Path] = ()) -> list[Text]:
        """What the full sandbox would hold that this one does not (none: `--strict` may
        grade), from a probe child's own account; GraderError when none starts."""
        from ..messages.ui import WORDS

        gaps = [note.text for note in self.probe(hide) if not note.ok]
        if self.kind != "jail":
            gaps.insert(0, WORDS["strict no jail"].format(tier=self.tier))
        return gaps

    def run(self, job: Job) -> RunReport:
        return self.finish(self.start(job))

    def start(self, job: Job) -> Started:
        """Start the job's first child; it runs while the caller starts others."""
        started = Started(job, RunReport(tier=self.kind, gave_up=self.gave_up), list(job.calls))
        try:
            started.source = started.report.source = read_submission(job.student)
        except SubmissionError as exc:
            started.report.import_failure = exc.text
            return started
        if started.pending and not self.parallel:
            self._queued.append(started)
        elif started.pending:
            started.child = self._spawn(self._payload(started))
            # a jail that could not start has fallen back by now
            started.report.tier, started.report.gave_up = self.kind, self.gave_up
        return started

    def _payload(self, started: Started) -> dict:
        job, pending = started.job, set(started.pending)
        return {"source": base64.b64encode(started.source).decode("ascii"), "filename": Path(job.student).name,
                "seed": job.seed, "limits": job.limits, "monitors": job.monitors,
                "unreachable": [str(p) for p in job.hide],
                "calls": [[name, index, {"function": call.function, "recipe": call.recipe, "repeat": call.repeat,
                                         "probes": list(call.probes)}]
                          for name, index, call in job.function_calls if (name, index) in pending]}

    def abandon(self, started: Started) -> None:
        """End a started job's child without collecting it."""
        if started in self._queued:
            self._queued.remove(started)
        if started is self._running:
            self._running = None
        if started.child is not None:
            started.child.kill()
            started.child = None

    def finish(self, started: Started) -> RunReport:
        """Collect a started job's outcomes, restarting children after hangs, crashes and
        malformed frames; every round settles at least one call, so this ends."""
        if self.parallel:
            return self._collect(started)
        if self._running is not None and self._running is not started:
            self._collect(self._running)  # the worker's job in hand first; its report waits in it
        if started in self._queued:
            self._run_queued(started)
        report = self._collect(started)
        if self._queued:
            self._run_queued(self._queued[0])
        return report

    def _run_queued(self, started: Started) -> None:
        self._queued.remove(started)
        started.child = self._spawn(self._payload(started))
        self._running = started

    def _collect(self, started: Started) -> RunReport:
        report, pending = started.report, started.pending
        child = started.child
        while child is not None:
            going = True
            try:
                going = self._session(started, child)
            finally:
                ran_to_end = not going and report.import_failure is None
                if not (ran_to_end and child.release()):
                    child.kill()
            child = self._spawn(self._payload(started)) if going and pending else None
        started.child = None
        if self._running is started:
            self._running = None
        return report

    def _session(self, started: Started, child: _Child) -> bool:
        """Drive one child; False when nothing more can run (the import failed)."""
        job, report, pending = started.job, started.report, started.pending
        try:
            frame = child.next(STARTUP_TIMEOUT)
        except (queue.Empty, Malformed):
            raise GraderError("the sandbox did not start a child within two minutes") from None
        if frame is None or frame[0] != READY:
            raise GraderError(f"the sandbox failed to start a child: it {child.how_it_ended().en}")
        # Sent before the submission was imported: the child's own account, not the student's.
        # A process that runs many jobs gave it before the first; what it says later is read
        # only as the frame it must send, since a student's code has run there since.
        facts = protocol.json_payload(frame[1])
        if child.worker is not None:
            facts = child.worker.facts = child.worker.facts or facts
        report.notes = jail.judge_facts(facts, job.limits)
        import_timeout = round(IMPORT_TIMEOUT * self.time_scale, 2)
        try:
            frame = child.next(import_timeout)
            if frame is not None and frame[0] == IMPORTED:
                report.import_output = protocol.imported(frame[1])
            elif frame is not None and frame[0] == IMPORT_ERROR:
                report.import_error, report.import_output = protocol.import_error(frame[1])
                return False
            elif frame is not None:
                raise Malformed("an unexpected frame while importing")
        except Malformed:
            report.import_failure = said("malformed results")
            return False
        except queue.Empty:
            report.import_failure = said("import timed out", seconds=import_timeout)
            return False
        if frame is None:
            report.import_failure = said("import died", how=child.how_it_ended())
            return False
        current = None
        while pending:
            expected = current or pending[0]
            timeout = round(job.timeouts[expected[0]] * self.time_scale, 2) if current else import_timeout
            try:
                frame = child.next(timeout)
                if frame is None:
                    self._finish(report, pending, expected, _failed(said("died in call", how=child.how_it_ended())))
                    return self._ended(report, pending, expected)
                kind, payload = frame
                if kind == BEGIN and current is None and protocol.begin(payload) == pending[0]:
                    current = pending[0]
                elif kind == OUTCOME and current is not None:
                    self._finish(report, pending, current, self._outcome(started, current, payload))
                    current = None
                elif kind == CRASH:  # its text may be the student's: not shown as ours
                    self._finish(report, pending, expected, _failed(said("process failed")))
                    return self._ended(report, pending, expected)
                else:  # DONE early, a second READY, a call out of order: not what was asked
                    raise Malformed("a frame out of order")
            except Malformed:
                self._finish(report, pending, expected, _failed(said("malformed results")))
                return self._ended(report, pending, expected)
            except queue.Empty:
                if current is None:  # between calls: the submission's code is not running
                    self._finish(report, pending, expected, _failed(said("stopped answering")))
                    return True
                self._finish(report, pending, current, _failed(said("timed out", seconds=timeout)))
                # The same function would most likely hang again: report, don't wait again.
                for call in [c for c in pending if c[0] == current[0]]:
                    self._finish(report, pending, call, _failed(said("after a timeout", name=current[0])))
                return True
        return False

    def _ended(self, report: RunReport, pending: list, call: tuple) -> bool:
        """After `call` ended its process: the calls left run in a fresh one. Where that is a
        fresh interpreter (no fork), the function's other calls are not run: each would
        most likely end it again, at the cost of a torch import each."""
        if self.kind == "subprocess":
            for other in [c for c in pending if c[0] == call[0]]:
                self._finish(report, pending, other, _failed(said("after a crash", name=call[0])))
        return True

    @staticmethod
    def _outcome(started: Started, call: tuple[str, int], payload: bytes) -> Outcome:
        if len(payload) > started.budget:
            return _failed(said("results too large", limit=RESULT_BUDGET >> 20))
        started.budget -= len(payload)
        recipe = next(c.recipe for name, index, c in started.job.function_calls if (name, index) == call)
        out = protocol.outcome(payload, len(recipe["args"]))
        if out.missing:
            out.failure = f"your file defines no function `{call[0]}`"
        elif out.failure:
            out.failure_text = said("unsendable result")
        return out

    @staticmethod
    def _finish(report: RunReport, pending: list, call: tuple, outcome: Outcome):
        report.outcomes[call] = outcome
        if call in pending:
            pending.remove(call)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()
        if self.server is not None:
            self.server.close()


def default_runner(preload: Iterable[str] = (), masks: Iterable[Path] = ()) -> Runner:
    """The strongest tier here (TUTOR_SANDBOX names one). `preload`: modules the inputs need;
    `masks`: folders (the course) to hide should they lie among the jail's library folders."""
    return Runner(preload=preload, masks=masks)
