"""What a child does to itself before any student code runs, and what it reports of itself.

The jail (bubblewrap, started by the grader) is the boundary: its own user, PID, network,
IPC, UTS and mount namespaces, an unprivileged uid without capabilities, a read-only root
holding only the Python installation. Inside it each child adds, where the platform has them:
- where tutor runs as root without the jail, root given up (`drop_root`);
- resource limits: address space, CPU time, file size, no core dumps;
- a seccomp filter that is an allow-list: the calls a calculation makes (files, memory,
  threads, time, its own signals and limits) and nothing else, which answers EPERM. Left
  out, by family: new processes and exec; other processes (signals, ptrace, memory, pidfds,
  resource limits, scheduling); mounts, namespaces and file handles; sockets; System V
  IPC; kernel interfaces with a history of escapes (io_uring, userfaultfd, bpf, perf
  events, keyrings, modules), and whatever a kernel adds tomorrow.
`facts()` is the child's account of its confinement, read before any student code runs
and judged by the grader against its own view (`grader.sandbox.jail.judge_facts`).
"""
from __future__ import annotations

import ctypes
import errno
import os
import socket
import stat
import sys

LINUX = sys.platform.startswith("linux")
_CLONE_THREAD = 0x00010000

# Allowed, by purpose (a name this kernel or libseccomp does not know is skipped).
ALLOWED = {
    "files": ("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
              "pwritev2", "open", "openat", "openat2", "creat", "close", "close_range", "lseek", "stat", "fstat",
              "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2",
              "readlink", "readlinkat", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat",
              "rmdir", "rename", "renameat", "renameat2", "unlink", "unlinkat", "link", "linkat", "symlink",
              "symlinkat", "chmod", "fchmod", "fchmodat", "umask", "truncate", "ftruncate", "fsync", "fdatasync",
              "fallocate", "fadvise64", "readahead", "copy_file_range", "sendfile", "utime", "utimes",
              "utimensat", "futimesat", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
              "flistxattr", "flock", "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2", "select", "pselect6",
              "poll", "ppoll", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
              "epoll_pwait2", "eventfd", "eventfd2"),
    "memory": ("mmap", "mprotect", "munmap", "mremap", "madvise", "brk", "msync", "mincore", "membarrier",
               "get_mempolicy"),
    "its own signals": ("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
                        "rt_sigsuspend", "sigaltstack", "pause", "restart_syscall"),
    "about itself": ("getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups",
                     "getresuid", "getresgid", "getpgrp", "getpgid", "getsid", "getpriority", "getrusage", "times",
                     "sysinfo", "uname", "getrlimit", "getcpu", "sched_getaffinity", "sched_getparam",
                     "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min", "capget"),
    "threads": ("arch_prctl", "prctl", "set_tid_address", "set_robust_list", "rseq", "futex", "futex_waitv",
                "sched_yield", "exit", "exit_group", "wait4", "waitid"),
    "time and randomness": ("clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday",
                            "time", "getitimer", "setitimer", "alarm", "getrandom"),
}
# Allowed only on the calling process itself (argument 0 is its pid, or 0 where that means itself).
_SELF_ONLY = {"kill": (), "tgkill": (), "rt_sigqueueinfo": (), "rt_tgsigqueueinfo": (), "prlimit64": (0,),
              "sched_setaffinity": (0,)}
# ioctl only for what Python and the C library ask of a file: is it a terminal, how wide, how
# much to read, close-on-exec and blocking (no terminal input can be injected, whatever is open).
_IOCTLS = (0x5401, 0x5413, 0x541B, 0x5450, 0x5451, 0x5421)  # TCGETS TIOCGWINSZ FIONREAD FIONCLEX FIOCLEX FIONBIO


NOBODY = 65534  # who a child runs as: bubblewrap's user in the jail, and ours where tutor runs as root without it


def _as_root() -> bool:
    return getattr(os, "geteuid", lambda: -1)() == 0


def child_user() -> int | None:
    """Who a child of this process should run as where tutor runs as root without the jail:
    uid 65534, if that user can read the Python installation it needs (not one under /root);
    else None (it stays uid 0, without capabilities). None too where this is not root."""
    if not _as_root():
        return None
    open_ = all(_open_to_anyone(path) for path in {sys.prefix, *(p for p in sys.path if os.path.isdir(p))})
    return NOBODY if open_ else None


def drop_root(scratch: str) -> None:
    """Where tutor runs as root without the jail (the process and subprocess tiers), the
    child gives up root (see `give_up_root`) as `child_user()`, its scratch folder made that
    user's. In the jail it already is uid 65534."""
    if _DROPPED or not _as_root():
        return
    user = child_user()
    if user is not None:
        os.chown(scratch, user, user)
    give_up_root(user)


def give_up_root(user: int | None) -> None:
    """Root no more: `user` (uid and gid) with no groups, so no capabilities, out of reach of
    what only root may read or write; or, where that user could not run Python (None), uid 0
    with every capability dropped. Once per process: the warm worker runs many jobs, and the
    filter it loads with the first refuses these calls."""
    global _DROPPED
    if _DROPPED or not _as_root():
        return
    _DROPPED = True
    if user is not None:
        if LINUX:
            _empty_bounding_set()  # setuid clears the other sets, not this one
        os.setgroups([])
        os.setgid(user)
        os.setuid(user)
    elif LINUX:
        drop_capabilities()


_DROPPED = False


def _open_to_anyone(path: str) -> bool:
    """Whether any user can list and enter `path` and reach it from /."""
    folder = os.path.realpath(path)
    for i, step in enumerate([folder, *_parents(folder)]):
        need = stat.S_IXOTH | (stat.S_IROTH if i == 0 else 0)
        try:
            if os.stat(step).st_mode & need != need:
                return False
        except OSError:
            return False
    return True


def _parents(path: str):
    while (parent := os.path.dirname(path)) != path:
        yield parent
        path = parent


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """No capability left to this process or what it could ever exec: the bounding set
    emptied, then effective, permitted and inheritable."""
    _empty_bounding_set()
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def _empty_bounding_set() -> None:
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    for cap in range(64):  # EINVAL past the kernel's last capability
        prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)


_PR_CAPBSET_DROP, _LINUX_CAPABILITY_VERSION_3 = 24, 0x20080522


def apply_limits(limits: dict) -> None:
    """Resource limits where the platform has them (facts() reports what is in force)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    used = resource.getrusage(resource.RUSAGE_SELF)  # CPU time counts from the job's start (a warm worker's too)
    cpu = limits.get("cpu_seconds") and int(used.ru_utime + used.ru_stime) + limits["cpu_seconds"]
    for name, value in (("RLIMIT_AS", limits.get("memory_bytes")), ("RLIMIT_CPU", cpu),
                        ("RLIMIT_FSIZE", limits.get("file_bytes")), ("RLIMIT_CORE", 0)):
        which = getattr(resource, name, None)
        if value is None or which is None:
            continue
        try:
            _, hard = resource.getrlimit(which)
            resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
        except (ValueError, OSError):
            pass  # facts() shows the limit missing


def not_dumpable() -> None:
    """No process of the same uid may read or write this one's memory through /proc, and
    children inherit it (the fork server's memory holds every job it was sent)."""
    if LINUX:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE


def filter_syscalls() -> str | None:
    """Load the filter, once per process (the warm worker runs many jobs); None when done,
    else why not."""
    global _FILTERED
    if _FILTERED is None:
        _FILTERED = (_load_filter(),)
    return _FILTERED[0]


_FILTERED: tuple | None = None
# The filter as the fork server compiled it for its children (see `compile_filter`): the
# program's bytes, and the offsets in it where a child writes its own pid.
_PROGRAM: tuple[bytes, tuple[int, ...]] | None = None
# Stand-ins for a child's pid while compiling: above any pid (pid_max is at most 2**22), so
# ordered against every other number in the rules as a real pid is.
_STAND_INS = (0x3FFFFFF1, 0x3FFFFFF2)


def compile_filter() -> None:
    """Compile the filter once, in the fork server, for all its children: libseccomp's program
    for a stand-in pid, and where that pid sits in it. A child writes its own pid there and
    loads the program, instead of compiling it (5 to 8 ms of every child). It is compiled for
    two stand-ins, and kept only when the two programs differ exactly where each has its own;
    else each child compiles its filter itself."""
    global _PROGRAM
    if not LINUX:
        return
    try:
        first, second = (_program(_rules(pid)) for pid in _STAND_INS)
    except Exception:
        return  # no libseccomp, or it cannot export: each child says why when it tries
    if len(first) != len(second) or len(first) % 8:
        return
    places = []
    for at in range(0, len(first), 8):
        if first[at:at + 8] == second[at:at + 8]:
            continue
        if first[at:at + 4] != second[at:at + 4] or \
                (int.from_bytes(first[at + 4:at + 8], sys.byteorder), int.from_bytes(second[at + 4:at + 8], sys.byteorder)) != _STAND_INS:
            return
        places.append(at + 4)  # struct sock_filter {u16 code; u8 jt, jf; u32 k}: k is the pid
    if places:
        _PROGRAM = (first, tuple(places))


def for_pid(program: tuple[bytes, tuple[int, ...]], pid: int) -> bytes:
    """The compiled program with `pid` written where the stand-in was."""
    code = bytearray(program[0])
    for at in program[1]:
        code[at:at + 4] = pid.to_bytes(4, sys.byteorder)
    return bytes(code)


def _load_filter() -> str | None:
    if not LINUX:
        return sys.platform  # no seccomp here: the grader words it from the facts' platform
    try:
        if _PROGRAM is not None:
            _load_program(for_pid(_PROGRAM, os.getpid()))
        else:
            _rules(os.getpid()).load()
    except Exception as exc:  # no libseccomp, or a kernel without seccomp
        return f"{type(exc).__name__}: {exc}"
    return None


def _rules(me: int):
    """The allow-list as libseccomp's filter, for the process whose pid is `me`."""
    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(seccomp.ERRNO(errno.EPERM))
    for names in ALLOWED.values():
        for name in names:
            try:
                rules.add_rule(seccomp.ALLOW, name)
            except OSError:
                pass  # a call this kernel and libseccomp do not know: nothing to allow
    # Threads yes (clone with CLONE_THREAD), processes no. clone3 hides its flags from
    # seccomp, so it answers ENOSYS and the C library falls back to clone.
    rules.add_rule(seccomp.ALLOW, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, _CLONE_THREAD))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for name, also in _SELF_ONLY.items():
        for pid in (me, *also):
            rules.add_rule(seccomp.ALLOW, name, seccomp.Arg(0, seccomp.EQ, pid))
    for request in _IOCTLS:
        rules.add_rule(seccomp.ALLOW, "ioctl", seccomp.Arg(1, seccomp.EQ, request))
    return rules


def _program(rules) -> bytes:
    """The BPF program libseccomp makes of `rules` (as its `load` would hand it to the kernel)."""
    fd = os.memfd_create("tutor-filter")
    try:
        with open(fd, "w+b", closefd=False) as f:
            rules.export_bpf(f)
            f.seek(0)
            return f.read()
    finally:
        os.close(fd)


class _Program(ctypes.Structure):  # struct sock_fprog
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _load_program(code: bytes) -> None:
    """What libseccomp's `load` does with its default attributes: no_new_privs, then the
    program as this thread's seccomp filter."""
    libc = ctypes.CDLL(None, use_errno=True)
    zero = ctypes.c_ulong(0)
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _Program(len(code) // 8, ctypes.addressof(buffer))
    for option, args in ((38, (ctypes.c_ulong(1), zero, zero, zero)),  # PR_SET_NO_NEW_PRIVS
                         (22, (ctypes.c_ulong(2), ctypes.byref(program), zero, zero))):  # PR_SET_SECCOMP, filter mode
        if libc.prctl(option, *args) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))


def _open(path: str, proc: int | None):
    """A file under /proc, or under the descriptor `proc` where this process's /proc is covered."""
    if proc is None:
        return open(f"/proc/{path}", encoding="ascii", errors="replace")
    return open(os.open(path, os.O_RDONLY, dir_fd=proc), encoding="ascii", errors="replace")


def _status(proc: int | None) -> dict:
    try:
        with _open("self/status", proc) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return {}


def _namespaces(proc: int | None) -> dict:
    found = {}
    for name in ("user", "pid", "net", "ipc", "uts", "mnt", "cgroup"):
        try:
            found[name] = os.readlink(f"self/ns/{name}", dir_fd=proc) if proc is not None \
                else os.readlink(f"/proc/self/ns/{name}")
        except OSError:
            pass
    return found


def _limits() -> dict:
    """Soft limits in force; CPU time as what is left of it from now (a warm worker has used some)."""
    if os.name == "nt":  # a Job Object's, set by the grader (see winjob)
        from .winjob import limits_in_force

        try:
            return limits_in_force()
        except OSError:
            return {}
    try:
        import resource
    except ImportError:
        return {}
    found = {name: resource.getrlimit(getattr(resource, f"RLIMIT_{name.upper()}"))[0]
             for name in ("as", "cpu", "fsize", "core")}
    if found["cpu"] != resource.RLIM_INFINITY:
        used = resource.getrusage(resource.RUSAGE_SELF)
        found["cpu"] -= int(used.ru_utime + used.ru_stime)
    return found


def _holds_something(path: str) -> bool:
    """A file, or a folder with anything in it (the jail has empty folders on the way to
    what it binds)."""
    if not os.path.lexists(path):
        return False
    try:
        return not os.path.isdir(path) or bool(os.listdir(path))
    except OSError:
        return True  # there, but not for us to list


def _can_write(path: str) -> bool:
    target = os.path.join(path, f".tutor-probe-{os.getpid()}")
    try:
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:
        return False
    os.unlink(target)
    return True


def _socket_opens() -> bool:
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        return True
    except OSError:
        return False


def facts(unreachable: list[str], scratch: str, proc: int | None = None) -> dict:
    """What this process can see of its own confinement. `unreachable`: host paths that must
    not exist here (the course, the references, the grader's folder); `proc`: where to read
    /proc when this process's own is covered (a student's world in the class jail)."""
    status = _status(proc)
    net = []
    try:
        with _open("self/net/dev", proc) as f:
            net = [line.split(":")[0].strip() for line in f.readlines()[2:]]
    except OSError:
        pass
    try:  # the processes the student can name: none where /proc is covered
        procs = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    except OSError:
        procs = []
    return {
        "platform": sys.platform,
        "uid": os.getuid() if hasattr(os, "getuid") else None,
        "caps": [status.get(k, "").strip() for k in ("CapEff", "CapPrm", "CapBnd")],
        "no_new_privs": status.get("NoNewPrivs", "").strip(),
        "seccomp": status.get("Seccomp", "").strip(),
        "namespaces": _namespaces(proc),
        "interfaces": net,
        "socket": _socket_opens(),
        "processes": procs[:64],
        "reachable": [p for p in unreachable if _holds_something(p)],
        "root_writable": _can_write("/"),
        "scratch_writable": _can_write(scratch),
        "limits": _limits(),
        "dumpable": _dumpable(),
        "allow_list": _allow_list(),
    }


def _allow_list() -> bool | None:
    """Whether a call on no list of ours (inotify_init1: harmless, and no family's) answers
    EPERM, as only an allow-list makes it; None where that cannot be asked."""
    if not LINUX:
        return None
    try:
        import pyseccomp

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        ctypes.set_errno(0)
        fd = libc.syscall(pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, "inotify_init1"), os.O_CLOEXEC)
    except Exception:
        return None
    if fd >= 0:
        os.close(fd)
        return False
    return ctypes.get_errno() == errno.EPERM


def _dumpable() -> int | None:
    if not LINUX:
        return None
    return ctypes.CDLL(None, use_errno=True).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
