"""One student's own world inside the class jail, made in a fork of the zygote.

bubblewrap keeps the class jail from the host (see `grader.sandbox.jail`); this keeps the
students in it from each other, without a second interpreter importing torch. bubblewrap
cannot do it: it builds a sandbox only around a program it execs, and an exec would throw
away the torch the zygote imported. So a forked copy of the zygote, before it serves the
student, takes namespaces of its own: user, mount, PID, IPC, network and UTS. In them it
mounts a fresh scratch /tmp (with what the jail bound inside /tmp, a virtual
environment there, bound again), covers /proc (no other student's process can be named, read or
written), and drops every capability it had in its new user namespace. The student's
children are then confined as in any jail (`confine`), and their seccomp filter denies
namespaces, so nothing nests further.
"""
from __future__ import annotations

import ctypes
import os

from .confine import drop_capabilities

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 0x1000, 0x4000, 1 << 18
PR_SET_DUMPABLE = 4


def _ok(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def _mounts_under(top: str) -> list[str]:
    """The outermost mount points below `top`, from /proc/self/mountinfo."""
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
        points = sorted({line.split()[4].replace("\\040", " ") for line in f if line.split()[4].startswith(top)},
                        key=len)
    outermost: list[str] = []
    for point in points:
        if not any(point.startswith(kept.rstrip("/") + "/") for kept in outermost):
            outermost.append(point)
    return outermost


def enter(scratch_bytes: int) -> int:
    """Take this process (and what it forks next) into namespaces of its own, as described
    above. Returns a descriptor on the class jail's /proc, for children to report their
    confinement before any student code runs (they close it then). Raises OSError where the
    kernel refuses (nested user namespaces switched off)."""
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    _ok(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS),
        "unshare")
    # The same uid inside as outside. The maps are written through /proc/self, which a process
    # that is not dumpable cannot open: dumpable for these lines only, while no student's code
    # can name any process (every student's /proc is covered).
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    finally:
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _ok(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    # What the jail binds inside /tmp (a virtual environment there) is bound again inside the
    # fresh /tmp, read-only as it was, from descriptors taken before it is covered.
    inside = _mounts_under("/tmp/")
    held = {path: os.open(path, os.O_PATH) for path in inside}
    try:
        _ok(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, f"size={scratch_bytes},mode=1777".encode()),
            "mount /tmp")
        for path, fd in held.items():
            os.makedirs(path, exist_ok=True)
            _ok(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC, None),
                f"bind {path}")
    finally:
        for fd in held.values():
            os.close(fd)
    os.chdir("/")  # not the class jail's /tmp, now covered
    proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
    try:
        _ok(libc.mount(b"tmpfs", b"/proc", b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=555"),
            "cover /proc")
        drop_capabilities()
    except BaseException:
        os.close(proc)
        raise
    return proc
