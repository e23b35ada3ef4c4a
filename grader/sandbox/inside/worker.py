"""The warm worker, for platforms without fork (macOS, Windows; TUTOR_SANDBOX=subprocess on
Linux): one fresh interpreter for the whole run that imports torch once and runs the jobs it
is sent one after another, each exactly as a forked child would (`child.run`).

On a student's own machine the threat is a broken submission, not a hostile one, so the
student's exercises share this process; what one leaves behind must never change the next
one's verdict. Before each job the worker takes a snapshot of what a submission can change
in the interpreter (`Snapshot`), and afterwards puts it back; where something changed that
cannot be put back (a thread still running, a torch mode left entered, a lowered hard
limit), it exits instead, and the grader starts a fresh worker for the next job.

Jobs arrive on stdin as frames of kind JOB, the first of them {"preload": [module, ...]}
(what to import besides torch, as a fork server's first message says); frames go out on
stdout as a child's do, each job's followed by IDLE once the worker is ready for the next.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import random
import shutil
import signal
import sys
import threading
import types
import warnings

from . import child, confine
from .frames import HEADER, IDLE, JOB, MAX_FRAME, write_frame

# Modules whose attributes a submission might replace (monkeypatching torch.sum, say), and
# classes whose methods it might. All but pandas come with torch and are imported before the
# first job, so that each is in the snapshot from the start; pandas is there when the inputs
# need it (preloaded), and a job that imports it first leaves a worker that cannot be trusted.
MODULES = ("builtins", "math", "cmath", "operator", "functools", "itertools", "random", "numpy", "numpy.linalg",
           "torch", "torch.nn", "torch.nn.functional", "torch.linalg", "torch.autograd", "torch.special",
           "torch.fft", "torch.testing", "torch.distributions", "pandas")
LAZY = {"pandas"}  # 0.4 s to import: only when preloaded
CLASSES = ("torch.Tensor", "torch._C.TensorBase", "torch.nn.Module", "torch.autograd.Function",
           "torch.nn.Parameter", "pandas.DataFrame", "pandas.Series")


def main(user: str) -> None:
    """`user`: the uid to run as where the grader runs as root ("": stay uid 0, without capabilities)."""
    from . import server

    jobs, chan = os.dup(0), os.dup(1)
    server.prepare(lambda: (_read_job(jobs) or {}).get("preload", []))  # stdin, stdout and stderr now go nowhere
    confine.give_up_root(int(user) if user else None)
    serve(jobs, chan)


def serve(jobs: int, chan: int, scratch: str | None = None, proc: int | None = None) -> None:
    """Run the jobs read from `jobs` one after another until the grader hangs up, or until
    one leaves this interpreter changed beyond repair. Also a fork server's warm child (a
    class's student: see `server`), which works in `scratch` (emptied after each job) and
    gives the account of its confinement once, from `proc`, before any student's code runs."""
    for name in (m for m in MODULES if m not in LAZY):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # not installed: nothing of it to change
    gc.enable()  # the student's garbage, across many jobs; what the imports made is frozen
    home = os.getcwd()
    facts = None
    while True:
        job = _read_job(jobs)
        if job is None:
            return  # the grader has gone
        if scratch is not None:
            job["scratch"] = scratch
        before = Snapshot()
        try:
            facts = child.run(job, chan, proc, facts)
        except BaseException:  # noqa: BLE001  what it could not report, its frames' end will
            pass
        proc = None  # closed before the first job's student code ran
        os.chdir(home)  # out of the job's scratch folder, which the grader removes
        if scratch is not None:  # the next job's folder as a fresh fork's: empty
            shutil.rmtree(scratch, ignore_errors=True)
            os.makedirs(scratch, mode=0o700, exist_ok=True)
        if not before.restore():
            return  # the next job gets a fresh interpreter
        write_frame(chan, IDLE)


def _read_job(fd: int) -> dict | None:
    head = _read_exactly(fd, HEADER.size)
    if head is None:
        return None
    size, kind = HEADER.unpack(head)
    if kind != JOB or size > MAX_FRAME[JOB]:
        return None
    data = _read_exactly(fd, size)
    return None if data is None else json.loads(data)


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _find(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(sys.modules.get(module), name, None)


class Snapshot:
    """What a submission can change in this interpreter, as it was before the job."""

    def __init__(self):
        self.modules = dict(sys.modules)
        self.namespaces = {name: dict(vars(m)) for name in MODULES if (m := sys.modules.get(name)) is not None}
        self.classes = {name: dict(vars(c)) for name in CLASSES if isinstance(c := _find(name), type)}
        self.path, self.environ = list(sys.path), dict(os.environ)
        self.streams = (sys.stdin, sys.stdout, sys.stderr, sys.displayhook, sys.excepthook)
        self.recursion, self.trace, self.profile = sys.getrecursionlimit(), sys.gettrace(), sys.getprofile()
        self.warnings = list(warnings.filters)
        self.random = random.getstate()
        numpy = sys.modules.get("numpy")
        self.numpy_random = numpy.random.get_state() if numpy is not None else None
        self.torch = _torch_state()
        self.limits = _hard_limits()
        self.signals = _signal_state()

    def restore(self) -> bool:
        """Put everything back; False when something changed that cannot be put back."""
        try:
            return self._restore()
        except Exception:  # noqa: BLE001  an attribute that would not go back: start afresh
            return False

    def _restore(self) -> bool:
        import torch

        if any(name in sys.modules and name not in self.namespaces for name in MODULES):
            return False  # first imported by this job: its state before the job is unknown
        if threading.active_count() > 1 or torch._C._len_torch_function_stack() \
                or torch._C._len_torch_dispatch_stack() or torch.is_inference_mode_enabled() \
                or _hard_limits() != self.limits:
            return False
        # The submission's modules go (and any it made or loaded from its scratch folder);
        # a library it imported stays, as a second import of an extension module can fail.
        libraries = tuple(os.path.join(os.path.abspath(p), "") for p in self.path if p)
        for name in [n for n in sys.modules if n not in self.modules]:
            if not os.path.abspath(getattr(sys.modules[name], "__file__", None) or "/-").startswith(libraries):
                del sys.modules[name]
        sys.modules.update(self.modules)
        for name, saved in self.namespaces.items():
            _put_back(sys.modules[name], saved)
        for name, saved in self.classes.items():
            _put_back(_find(name), saved)
        sys.path[:] = self.path
        os.environ.clear()
        os.environ.update(self.environ)
        sys.stdin, sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = self.streams
        sys.setrecursionlimit(self.recursion)
        sys.settrace(self.trace)
        sys.setprofile(self.profile)
        warnings.filters[:] = self.warnings
        random.setstate(self.random)
        if self.numpy_random is not None:
            sys.modules["numpy"].random.set_state(self.numpy_random)
        now = _torch_state()
        for name, saved in self.torch.items():
            if name == "rng" or now[name] != saved:  # each only when changed: one setter takes seconds
                _set_torch(name, saved)
        # A timer left running would fire in the next job, and a handler left set would answer
        # there: a fork of its own inherits neither.
        handlers, timers = self.signals
        for which, (value, interval) in timers.items():
            signal.setitimer(which, value, interval)
        for number, handler in handlers.items():
            if signal.getsignal(number) is not handler:
                signal.signal(number, handler)
        return True


def _signal_state() -> tuple[dict, dict]:
    """Python's handler for each signal that has one, and the interval timers."""
    handlers = {}
    for number in signal.valid_signals():
        try:
            handler = signal.getsignal(number)
        except (OSError, ValueError):
            continue
        if handler is not None:  # None: set outside Python, which a submission cannot do
            handlers[number] = handler
    timers = {which: signal.getitimer(which) for which in
              (getattr(signal, name) for name in ("ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF") if hasattr(signal, name))}
    return handlers, timers


def _torch_state() -> dict:
    import torch

    return {"default_dtype": torch.get_default_dtype(), "grad": torch.is_grad_enabled(),
            "deterministic": (torch.are_deterministic_algorithms_enabled(),
                              torch.is_deterministic_algorithms_warn_only_enabled()),
            "anomaly": (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
            "threads": torch.get_num_threads(), "rng": torch.get_rng_state(),
            "print": dict(vars(torch._tensor_str.PRINT_OPTS))}


def _set_torch(name: str, value) -> None:
    import torch

    if name == "default_dtype":
        torch.set_default_dtype(value)
    elif name == "grad":
        torch.set_grad_enabled(value)
    elif name == "deterministic":
        torch.use_deterministic_algorithms(value[0], warn_only=value[1])  # imports for seconds: only if changed
    elif name == "anomaly":
        torch.set_anomaly_enabled(*value)
    elif name == "threads":
        torch.set_num_threads(value)
    elif name == "rng":
        torch.set_rng_state(value)
    elif name == "print":
        vars(torch._tensor_str.PRINT_OPTS).update(value)


def _put_back(owner, saved: dict) -> None:
    now = vars(owner)
    # A submodule imported since stays bound to its package: the import system keeps it in
    # sys.modules, and a package that imports it lazily (numpy) would otherwise never find it.
    for name in [n for n, v in now.items() if n not in saved and not isinstance(v, types.ModuleType)]:
        delattr(owner, name)
    for name, value in saved.items():
        if now.get(name, _put_back) is not value:
            setattr(owner, name, value)


def _hard_limits() -> tuple:
    try:
        import resource
    except ImportError:  # Windows
        return ()
    return tuple(resource.getrlimit(getattr(resource, n))[1] for n in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE"))
