"""Grader side: how the fork server is started, and what confinement its children got.

Three tiers, the strongest the platform allows:
- `jail` (Linux with bubblewrap): the server runs in a bwrap sandbox with its own user,
  PID, network, IPC, UTS and mount namespaces, as uid 65534 with no capabilities and
  no_new_privs; its root is a read-only view of the Python installation alone (tutor's own
  package folder and the course masked where they lie inside it), plus a 64 MiB tmpfs /tmp
  and a fresh /proc. tutor's only code in there is `sandbox/inside`, bound read-only.
  `tutor grade` starts one such jail for the class (`Zygote`), in which each student's
  server has namespaces of its own (`inside/apart.py`).
- `process` (Linux without bubblewrap or user namespaces): the same server, exec'd with a
  clean environment but not jailed: files, network and other processes stay reachable.
- `subprocess` (macOS, Windows): no fork server; one warm worker interpreter runs the
  jobs one after another (`runner._Worker`, inside/worker.py), with no jail and no filter.
Every child's own account of its confinement (`inside.confine.facts`) is judged here
against the grader's view of itself, into the notes the report shows and `--strict` needs.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import site
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Iterable, NamedTuple

from ..messages.feedback import said
from ..messages.text import Text
from .inside.confine import NOBODY, child_user

INSIDE = Path(__file__).resolve().parent / "inside"
PACKAGE = Path(__file__).resolve().parent.parent  # tutor's engine, never visible in the jail
JAIL_PACKAGE = "tutor_inside"  # the inside package's name in the jail
JAIL_ROOT = "/tutor"  # where it is mounted there
SCRATCH_BYTES = 64 << 20
DEFAULT_LIMITS = {"memory_bytes": 4 << 30, "cpu_seconds": 120, "file_bytes": 64 << 20}  # of every child
STARTUP_TIMEOUT = 120.0  # a fresh interpreter importing torch on a slow laptop


class GraderError(RuntimeError):
    """A fault in tutor itself, or in the machine it runs on (not in the submission)."""


class Note(NamedTuple):
    text: Text  # in every language: messages' words, filled with the child's facts as data
    ok: bool


def isolation(tier: str, gave_up: str, notes: list[Note]) -> Text:
    """The sandbox line: the tier (and why a stronger one could not be had), then the notes."""
    said_tier = said(f"tier {tier}")
    if gave_up:
        said_tier = said("fell back", tier=said_tier, why=gave_up)
    return said("sandbox line", tier=said_tier, notes=Text.joined([n.text for n in notes])) if notes else said_tier


def tier() -> str:
    """The tier asked for (TUTOR_SANDBOX) or the strongest this platform can have."""
    asked = os.environ.get("TUTOR_SANDBOX", "")
    if asked in ("jail", "process", "subprocess"):
        return asked
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return "subprocess"
    return "jail" if bwrap() else "process"


def bwrap() -> str | None:
    return os.environ.get("TUTOR_BWRAP") or shutil.which("bwrap")


def clean_env(home: str) -> dict:
    env = {
        "PATH": "/usr/bin:/bin" if os.name == "posix" else os.environ.get("PATH", ""),
        "HOME": home, "TMPDIR": home, "TEMP": home, "TMP": home,
        # A single thread: the workload is tiny, and results must not depend on thread count.
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
    }
    for name in ("SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed to start, not secrets
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _under(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def library_paths() -> list[str]:
    """The Python installation and the folders packages are installed in: all the jail sees
    of the host besides /usr. Nothing else on sys.path (the course checkout, PYTHONPATH)."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(os.path.realpath(sys.executable)).parent.parent)}
    found |= {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    found |= set(site.getsitepackages())
    user = site.getusersitepackages()
    if isinstance(user, str) and os.path.isdir(user):
        found.add(user)
    paths = sorted(os.path.realpath(p) for p in found if p and os.path.isdir(p)) + \
        sorted(p for p in found if p and os.path.isdir(p))  # by both names: a venv may be reached through a link
    kept: list[str] = []
    for p in sorted(set(paths), key=len):  # a folder inside one already bound adds nothing
        if not _under(p, kept):
            kept.append(p)
    return kept


def _inside_paths(bound: list[str]) -> list[str]:
    """sys.path entries the jail's interpreter needs beyond its own defaults (a user site)."""
    return [p for p in sys.path if p and os.path.isdir(p)
            and any(os.path.realpath(p).startswith(os.path.realpath(b)) for b in bound)]


def bootstrap(root: str, package: str, extra: list[str], entry: str) -> str:
    """The -c program that runs `entry` ("module.function" of the inside package, given the
    command line's arguments) with no tutor module on sys.path but the inside package."""
    module, function = entry.split(".")
    return (f"import sys; sys.path[:0] = [{root!r}]; sys.path += [p for p in {extra!r} if p not in sys.path]; "
            f"import {package}.{module} as m; m.{function}(*sys.argv[1:])")


def jail_argv(entry: str, args: list[str], masks: list[Path], nested: bool = False) -> list[str]:
    """bwrap's command line for the inside code's `entry`. `nested`: the zygote's jail, whose
    forks take namespaces of their own for each student (see inside/apart.py); any other
    jail's processes can make no user namespace at all."""
    argv = [bwrap(), "--unshare-all", "--unshare-user", *([] if nested else ["--disable-userns"]),
            "--uid", str(NOBODY), "--gid", str(NOBODY),
            "--hostname", "tutor", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv",
            # The scratch first: a library folder under /tmp (a virtual environment there) is
            # bound on top of it, not hidden by it.
            "--size", str(SCRATCH_BYTES), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"):
        argv += ["--ro-bind-try", name, name]
    bound = library_paths()
    for path in bound:
        if path != "/usr" and not path.startswith("/usr/"):  # bound above
            argv += ["--ro-bind", path, path]
    hidden: list[str] = []
    for real in sorted({os.path.realpath(m) for m in masks}, key=len):  # tutor's engine and the course,
        # where they lie inside a bound folder and not inside one already hidden (read-only by then)
        if os.path.isdir(real) and _under(real, bound + ["/usr"]) and not _under(real, hidden):
            argv += ["--tmpfs", real, "--remount-ro", real]
            hidden.append(real)
    argv += ["--ro-bind", str(INSIDE), f"{JAIL_ROOT}/{JAIL_PACKAGE}",
             "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp"]
    for key, value in clean_env("/tmp").items():
        argv += ["--setenv", key, value]
    return argv + ["--", sys.executable, "-I", "-c", bootstrap(JAIL_ROOT, JAIL_PACKAGE, _inside_paths(bound), entry),
                   *args]


def inside_argv(kind: str, entry: str, args: list[str], masks: list[Path], nested: bool = False) -> list[str]:
    """The command line that runs the inside code's `entry`: in the jail, or beside the grader."""
    if kind == "jail":
        return jail_argv(entry, args, masks, nested)
    return [sys.executable, "-I", "-c", bootstrap(str(INSIDE.parent), "inside", sys.path[1:], entry), *args]


def _own_namespaces() -> dict:
    found = {}
    for name in ("user", "pid", "net", "ipc", "uts", "mnt"):
        try:
            found[name] = os.readlink(f"/proc/self/ns/{name}")
        except OSError:
            pass
    return found


def _own_uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def judge_facts(facts: dict, limits: dict) -> list[Note]:
    """What held for a child, by its own account read before any student code ran, and by
    comparing its namespaces with this process's."""
    ours = _own_namespaces()
    theirs = facts.get("namespaces") or {}

    def apart(name: str) -> bool:
        return name in ours and name in theirs and theirs[name] != ours[name]

    caps = facts.get("caps") or []
    no_caps = bool(caps) and all(c.strip("0") == "" for c in caps)
    uid = facts.get("uid")
    unprivileged = apart("user") and uid not in (0, None) and no_caps
    offline = apart("net") and set(facts.get("interfaces") or []) <= {"lo"}
    notes = [
        # Without the jail, a child of root's gives up root (see confine.drop_root).
        Note(said("own user", uid=str(uid)) if unprivileged
             else said("root without capabilities") if no_caps and uid == 0
             else said("dropped user", uid=str(uid)) if no_caps and uid != _own_uid()
             else said("same user"), unprivileged),
        Note(said("own pids") if apart("pid") else said("shared pids"), apart("pid")),
        Note(said("offline") if offline else said("online"), offline),
        Note(said("own ipc") if apart("ipc") and apart("uts") else said("shared ipc"), apart("ipc") and apart("uts")),
    ]
    hidden = apart("mnt") and not facts.get("reachable") and not facts.get("root_writable")
    reachable = Text.same("; ".join(map(str, facts.get("reachable") or []))) if facts.get("reachable") \
        else said("the host's disk")
    notes.append(Note(said("files hidden", scratch=SCRATCH_BYTES >> 20) if hidden
                      else said("files reachable", paths=reachable), hidden))
    seccomp = facts.get("seccomp") == "2" and facts.get("no_new_privs") == "1"
    # Why there is no filter: the child's own error (data), or no seccomp on its platform at all.
    linux = str(facts.get("platform", "linux")).startswith("linux")
    why = Text.same(str(facts["filter_error"])) if linux and facts.get("filter_error") else said("not supported here")
    allow_list = seccomp and facts.get("allow_list") is True
    notes.append(Note(said("filtered") if allow_list else said("not allow-list") if seccomp
                      else said("unfiltered", why=why), allow_list))
    if facts.get("dumpable") is not None:
        notes.append(Note(said("not dumpable") if facts.get("dumpable") == 0 else said("dumpable"),
                          facts.get("dumpable") == 0))
    have = facts.get("limits") or {}
    wanted = {"as": limits.get("memory_bytes"), "cpu": limits.get("cpu_seconds"), "fsize": limits.get("file_bytes")}
    unlimited = [name for name, value in wanted.items() if value and (have.get(name, -1) in (-1, None) or have[name] > value)]
    notes += [Note(said("no limit", what=said(f"limit {name}")), False) for name in unlimited] \
        or [Note(said("limited"), True)]
    return notes


class _Interpreter:
    """A fresh interpreter running the inside code (a fork server or the zygote), in the jail
    or beside the grader, and the socket the grader talks to it through."""

    def __init__(self, kind: str, entry: str, args: list[str], masks: list[Path], nested: bool = False):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.errors = tempfile.TemporaryFile()  # what bwrap or the interpreter says if it cannot start
        self.proc = subprocess.Popen(
            inside_argv(kind, entry, [str(theirs.fileno()), *args], masks, nested), pass_fds=[theirs.fileno()],
            env={} if kind == "jail" else clean_env(tempfile.gettempdir()), cwd=tempfile.gettempdir(),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors, start_new_session=True)
        theirs.close()

    def why_gone(self) -> str:
        self.errors.seek(0)
        lines = self.errors.read(4096).decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {self.proc.poll()}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, at_once: bool = False) -> None:
        self.sock.close()  # the interpreter reads the end of its socket and exits, and the jail with it
        try:
            self.proc.wait(timeout=0 if at_once else 2)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Server:
    """The grader's handle on a fork server (jail and process tiers): an interpreter of its
    own, or one student's fork of a class's zygote."""

    def __init__(self, kind: str, masks: list[Path], preload: Iterable[str] | None = None,
                 zygote: "Zygote | None" = None):
        """Started at once: the server imports torch while the grader goes on. `preload`: what
        else it imports, now or later (`load`), before it says it is ready."""
        self.kind, self.masks, self.zygote = kind, masks, zygote
        self.preload: list[str] | None = None
        if zygote is None:
            self.interpreter = _Interpreter(kind, "server.main", [], masks)
            self.sock = self.interpreter.sock
        else:
            self.interpreter = zygote.interpreter
            self.sock = zygote.part()
            self.preload = zygote.preload  # imported by the zygote
        self.proc = self.interpreter.proc
        self.ended: dict[int, int] = {}  # exit codes by pid
        self.started: dict[int, tuple[int, ...]] = {}  # (pid, channel[, jobs]) by request number
        self.requests = 0
        self.ready = False
        self.gone = ""  # why it stopped answering
        if preload is not None:
            self.load(preload)

    def load(self, preload: Iterable[str]) -> None:
        """Tell the server what to import besides torch (it waits for this before it is ready);
        once, as soon as the grader has read its course."""
        if self.preload is None:
            self.preload = sorted(preload)
            _say(self.sock, {"preload": self.preload})

    def why_gone(self) -> str:
        return self.gone or self.interpreter.why_gone()

    def starting(self) -> bool:
        """Nothing said yet: still importing (whatever it says first, ready or gone, ends that)."""
        return not self.ready and not self.gone and not select.select([self.sock], [], [], 0)[0]

    def wait_ready(self) -> None:
        if not self.ready:
            if self._receive(STARTUP_TIMEOUT) is None:
                raise GraderError("the sandbox did not start within two minutes")
            if not self.ready:
                raise GraderError("the sandbox's server said something else first")

    def fork(self, job: dict) -> int:
        """Ask for a child on `job`, without waiting: the number to `take` it by."""
        self.requests += 1
        fd = _sealed(json.dumps(job).encode())
        try:
            socket.send_fds(self.sock, [json.dumps({"request": self.requests}).encode()], [fd])
        except OSError:
            raise GraderError(f"the sandbox is gone: {self.why_gone()}") from None
        finally:
            os.close(fd)
        return self.requests

    def take(self, request: int) -> tuple[int, ...]:
        """The pid of the child asked for (in the server's namespace), and its channel (and,
        for a warm child, where to write its jobs)."""
        while request not in self.started:
            if self._receive(STARTUP_TIMEOUT) is None:
                raise GraderError("the sandbox stopped answering")
        pid, *fds = self.started.pop(request)
        # An exit code for this pid is an earlier child's (the server reaped that one, and
        # said so, before the pid could be reused): not this one's.
        self.ended.pop(pid, None)
        return (pid, *fds)

    def warm(self) -> "WarmChild":
        """A child that runs one job after another (see `WarmChild`)."""
        self.requests += 1
        try:
            self.sock.send(json.dumps({"warm": self.requests}).encode())
        except OSError:
            raise GraderError(f"the sandbox is gone: {self.why_gone()}") from None
        return WarmChild(self, *self.take(self.requests))

    def wait(self, pid: int, timeout: float | None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.ended:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0 or self._receive(left) is None:
                return None
        return self.ended.pop(pid)

    def kill(self, pid: int) -> None:
        try:
            self.sock.send(json.dumps({"kill": pid}).encode())
        except OSError:
            pass  # the server is gone, and its children with it

    def _receive(self, timeout: float | None) -> dict | None:
        """The next message (ready, a started child, or one that ended); None on timeout."""
        if not select.select([self.sock], [], [], timeout)[0]:
            return None
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, 2)
        except OSError:
            data, fds = b"", []
        if not data:
            self.gone = self.gone or self.interpreter.why_gone()
            raise GraderError(f"the sandbox is gone: {self.gone}")
        try:
            message = json.loads(data)
            if "ready" in message:
                self.ready = True
            elif "ended" in message:
                self.ended[int(message["ended"])] = int(message["code"])
            elif "refused" in message:
                self.gone = f"no namespaces for this student ({str(message['refused'])[:300]})"
            elif len(fds) in (1, 2):  # a child's channel, and a warm child's jobs
                self.started[int(message["request"])] = (int(message["pid"]), *fds)
                fds = []
            else:
                raise ValueError(message)
        except (ValueError, KeyError, TypeError, IndexError):
            raise GraderError("the sandbox's server sent something unreadable") from None
        finally:
            for fd in fds:
                os.close(fd)
        return message

    def alive(self) -> bool:
        return not self.gone and self.interpreter.alive()

    def close(self) -> None:
        if self.zygote is None:
            self.interpreter.close(at_once=not self.ready)  # still importing: nothing to finish
        else:
            self.sock.close()  # the student's server reads the end and exits, and its world with it


class WarmChild:
    """A fork server's child that runs one job after another, as the warm worker does
    (inside/worker.py `serve`), for the many exercises of one student in `tutor grade`: one
    fork for the student instead of one for each exercise, whose fork of a 300 MB server, exit
    and first writes to the pages it shares cost more than most exercises' calls. It holds
    nothing but that student's own code, and what one exercise leaves behind is put back (or
    the child ends) before the next. The runner drives it as it does the warm worker."""

    user = None  # it works in a scratch folder of its own, in the jail
    job = None

    def __init__(self, server: Server, pid: int, channel: int, jobs: int):
        self.server, self.pid, self.fd = server, pid, channel
        self.jobs = os.fdopen(jobs, "wb")
        self.frames = None  # the runner's reader of what it sends
        self.facts = None  # its account of its confinement, from before its first job
        self.status = None

    def send(self, job: dict) -> bool:
        return _write_job(self.jobs, job)

    def alive(self) -> bool:
        return self.fd >= 0 and self.server.alive() and self.pid not in self.server.ended

    def wait(self, timeout: float | None) -> int | None:
        if self.status is None:
            self.status = self.server.wait(self.pid, timeout)
        return self.status

    def kill(self) -> None:
        if self.fd < 0:
            return
        if self.status is None:
            self.server.kill(self.pid)
        try:
            self.jobs.close()
        except OSError:
            pass  # a broken pipe to a child that has gone
        os.close(self.fd)
        self.fd = -1

    close = kill


class Zygote:
    """The class jail (`tutor grade`): one interpreter that imports torch once and forks a
    fork server for each student, in namespaces of that student's own (inside/zygote.py)."""

    def __init__(self, kind: str, masks: list[Path], preload: Iterable[str]):
        self.kind, self.masks, self.preload = kind, masks, sorted(preload)
        self.interpreter = _Interpreter(kind, "zygote.main", [str(SCRATCH_BYTES)], masks, nested=True)
        _say(self.interpreter.sock, {"preload": self.preload})

    def starting(self) -> bool:
        """Nothing said yet: still importing (time the grader may use ahead)."""
        return self.interpreter.alive() and not select.select([self.interpreter.sock], [], [], 0)[0]

    def wait_ready(self) -> str | None:
        """Once started: None when students can be kept apart in it, else why not."""
        sock = self.interpreter.sock
        if not select.select([sock], [], [], STARTUP_TIMEOUT)[0]:
            return "the class jail did not start within two minutes"
        try:
            message = json.loads(sock.recv(1 << 12) or b"null")
            return None if message["apart"] is None else f"no namespaces per student: {str(message['apart'])[:300]}"
        except (OSError, ValueError, KeyError, TypeError):
            return f"the class jail did not start: {self.interpreter.why_gone()}"

    def part(self) -> socket.socket:
        """A socket to a new student's fork server."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            socket.send_fds(self.interpreter.sock, [b"{}"], [theirs.fileno()])
        except OSError:
            ours.close()
            raise GraderError(f"the class jail is gone: {self.interpreter.why_gone()}") from None
        finally:
            theirs.close()
        return ours

    def server(self) -> Server:
        return Server(self.kind, self.masks, self.preload, zygote=self)

    def close(self) -> None:
        self.interpreter.close()


class Worker:
    """The subprocess tier's warm worker (inside/worker.py): one interpreter for the run that
    imports torch once and runs one job at a time, each job's frames followed by IDLE; killed
    (and replaced by the runner) when a job leaves it hung, dead or damaged. Started like a
    fork server, before the grader imports torch."""

    kind = "subprocess"
    masks: list = []

    def __init__(self, preload: Iterable[str] | None = None):
        """`preload`: as a fork server's, now or later (`load`)."""
        self.preload: list[str] | None = None
        # Where tutor runs as root, the worker gives up root as this user (see confine.drop_root)
        # before its first job, and is handed each job's folder.
        self.user = child_user()
        self.popen = subprocess.Popen(inside_argv("subprocess", "worker.main", [str(self.user or "")], []),
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      cwd=tempfile.gettempdir(), env=clean_env(tempfile.gettempdir()),
                                      start_new_session=(os.name == "posix"))
        self.pid, self.fd = self.popen.pid, os.dup(self.popen.stdout.fileno())
        self.popen.stdout.close()
        self.frames = None  # the runner's reader of what it sends
        self.facts = None  # its account of its confinement, from before its first job
        self.job = None  # Windows has no setrlimit: a Job Object's limits (see inside/winjob.py)
        if os.name == "nt":
            from .inside.winjob import Job

            try:  # what did not hold, the worker's own account of its limits says (see confine.facts)
                self.job = Job(int(self.popen._handle), DEFAULT_LIMITS["memory_bytes"])
            except OSError:
                pass
        if preload is not None:
            self.load(preload)

    def load(self, preload: Iterable[str]) -> None:
        """What the worker imports besides torch, before its first job: its first frame."""
        if self.preload is None:
            self.preload = sorted(preload)
            _write_job(self.popen.stdin, {"preload": self.preload})

    def send(self, job: dict) -> bool:
        if self.job is not None:  # each job's CPU time from now, as setrlimit gives it elsewhere
            try:
                self.job.allow_cpu(job["limits"].get("cpu_seconds", DEFAULT_LIMITS["cpu_seconds"]))
            except OSError:  # the worker's own account of its limits then says there is none
                self.job = None
        return _write_job(self.popen.stdin, job)

    def wait(self, timeout: float | None) -> int | None:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def alive(self) -> bool:
        return self.fd >= 0 and self.popen.poll() is None

    def kill(self) -> None:
        if self.fd < 0:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL) if os.name == "posix" else self.popen.kill()
        except OSError:
            pass
        self.popen.wait()
        try:
            self.popen.stdin.close()
        except OSError:
            pass  # a broken pipe to a dead worker
        os.close(self.fd)
        self.fd = -1

    close = kill


def _write_job(out, message: dict) -> bool:
    """A JOB frame to a process that runs many (False: it has gone)."""
    from .inside.frames import HEADER, JOB

    data = json.dumps(message).encode()
    try:
        out.write(HEADER.pack(len(data), JOB) + data)
        out.flush()
    except OSError:
        return False
    return True


def _sealed(data: bytes) -> int:
    """A read-only file descriptor holding `data`: a sealed memfd (nothing the child does
    with it can change what the next child reads)."""
    fd = os.memfd_create("tutor-job", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.write(fd, data)
    import fcntl

    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SEAL)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def start_server(masks, preload: Iterable[str] | None = None) -> Server | Worker:
    """A fork server for the strongest tier here (a warm worker where there is no fork:
    macOS, Windows), started now so that it imports torch while the grader imports its own
    (and reads its course: `preload`, what the inputs need, may follow with `load`)."""
    kind = tier()
    return Worker(preload) if kind == "subprocess" else Server(kind, [PACKAGE, *masks], preload)


def _say(sock: socket.socket, message: dict) -> None:
    """One message to a server or zygote; one that has gone says so when next read."""
    try:
        sock.sendall(json.dumps(message).encode())
    except OSError:
        pass
