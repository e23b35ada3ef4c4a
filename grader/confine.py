"""Confine the process that will run a student's code, as far as the platform allows.

Each step returns a Note saying what it achieved or what it gave up; the report shows
them all, and `--strict` refuses to grade unless every note is ok.
Linux steps (namespaces need root or unprivileged user namespaces):
- an empty network namespace: no interface at all, not even loopback;
- a private mount namespace in which every mount is read-only, the reference solutions
  are covered by an empty tmpfs, and the only writable place is a 64 MiB tmpfs scratch
  directory (the disk cannot be filled, /proc/sys cannot be written);
- a seccomp filter: no new processes (fork bombs and background processes cannot
  exist), no sockets, no signals to other processes (the grader cannot be killed), no
  ptrace, mount, namespace or module calls, no exec;
- resource limits (POSIX): address space, CPU time, file size, no core dumps.
"""
from __future__ import annotations

import errno
import os
import sys
from typing import NamedTuple

LINUX = sys.platform.startswith("linux")


class Note(NamedTuple):
    text: str
    ok: bool
SCRATCH_SIZE = "64m"  # tmpfs size syntax

_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWNET, _CLONE_THREAD = 0x00020000, 0x10000000, 0x40000000, 0x00010000
_MS_RDONLY, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18


def _libc():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]
    return libc


def _errno_text() -> str:
    import ctypes

    return os.strerror(ctypes.get_errno())


def _unshare(libc, flags: int) -> bool:
    # As root the namespace alone; otherwise inside a new user namespace, where allowed.
    if libc.unshare(flags) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | flags) != 0:
        return False
    # Map our own ids into the new user namespace, or files we create there (the scratch
    # directory) would belong to no one and could not be made.
    for path, text in (("/proc/self/uid_map", f"{uid} {uid} 1"), ("/proc/self/setgroups", "deny"),
                       ("/proc/self/gid_map", f"{gid} {gid} 1")):
        try:
            with open(path, "w") as f:
                f.write(text)
        except OSError:
            pass  # an old kernel without setgroups: the maps that took still help
    return True


def isolate_network() -> Note:
    if not LINUX:
        return Note("network open (no network namespaces on this platform)", False)
    if _unshare(_libc(), _CLONE_NEWNET):
        return Note("no network", True)
    return Note(f"network open (unshare: {_errno_text()})", False)


def confine_files(scratch: str, hide: list[str]) -> Note:
    """Everything read-only but `scratch` (a small tmpfs); `hide` covered by an empty tmpfs."""
    if not LINUX:
        return Note("files open (no mount namespaces on this platform)", False)
    libc = _libc()

    def mount(source, target, fstype, flags, data=None):
        if libc.mount(source and source.encode(), target.encode(), fstype, flags, data) != 0:
            raise OSError(f"mount {target}: {_errno_text()}")

    try:
        if not _unshare(libc, _CLONE_NEWNS):
            raise OSError(f"unshare: {_errno_text()}")
        mount("none", "/", None, _MS_REC | _MS_PRIVATE)  # nothing done here reaches the host
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            points = [line.split()[4].encode().decode("unicode_escape") for line in f]
        for point in points:
            try:
                mount(None, point, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY)
            except OSError:
                if point == "/":
                    raise
        for path in hide:
            if os.path.isdir(path):
                mount("tmpfs", path, b"tmpfs", _MS_RDONLY, b"size=4k")
        mount("tmpfs", scratch, b"tmpfs", 0, f"size={SCRATCH_SIZE},mode=0700".encode())
    except OSError as exc:
        return Note(f"files open ({exc})", False)
    return Note("read-only files, solutions hidden, 64 MiB scratch", True)


def filter_syscalls() -> Note:
    if not LINUX:
        return Note("no syscall filter (seccomp is Linux-only)", False)
    try:
        import pyseccomp as seccomp

        me = os.getpid()
        deny = seccomp.ERRNO(errno.EPERM)
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in ("fork", "vfork", "execve", "execveat", "socket", "ptrace", "process_vm_readv",
                     "process_vm_writev", "mount", "umount2", "unshare", "setns", "pivot_root", "chroot",
                     "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "kexec_load",
                     "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
                     "swapon", "swapoff", "tkill"):
            rules.add_rule(deny, name)
        # Threads yes (clone with CLONE_THREAD), processes no. clone3 hides its flags from
        # seccomp, so it answers ENOSYS and the C library falls back to clone.
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        for name in ("kill", "tgkill"):  # signals to this process only
            rules.add_rule(deny, name, seccomp.Arg(0, seccomp.NE, me))
        rules.load()
    except Exception as exc:  # no libseccomp, or a kernel without seccomp
        return Note(f"no syscall filter ({type(exc).__name__}: {exc})", False)
    return Note("syscall filter", True)


def apply_limits(limits: dict) -> list[Note]:
    """Set resource limits where the platform has them; notes for those that could not be set."""
    try:
        import resource
    except ImportError:  # Windows
        return [Note("no memory, CPU-time or file-size limit (no resource limits on this platform)", False)]
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
            missing.append(Note(f"no {name.replace('RLIMIT_', '').lower()} limit", False))
    return missing

