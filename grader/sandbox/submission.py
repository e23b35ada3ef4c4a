"""Grader side: the submission's bytes, read the one safe way.

A submission is a regular file of at most 1 MiB, opened without following a symlink (a
committed link to the reference, or to /dev/zero, is refused before anything is read).
The sandbox is sent these bytes, never a path; the workspace's progress hashes them too.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..messages.text import Text

MAX_SUBMISSION = 1 << 20


class SubmissionError(ValueError):
    """The submission cannot be sent to the sandbox (a symlink, too large, not a file)."""

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


def _refused(key: str, **values) -> SubmissionError:
    from ..messages.feedback import said  # only when refusing: `tutor list` reads every file through here

    return SubmissionError(said(key, **values))


def read_submission(path: Path) -> bytes:
    """The submission's bytes: a regular file, not through a symlink, at most 1 MiB, read
    here by the grader (the sandbox never opens a path of the course)."""
    # O_NONBLOCK: a FIFO does not hang the open; O_BINARY: Windows would otherwise translate.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        if Path(path).is_symlink():  # where O_NOFOLLOW does not exist (Windows)
            raise _refused("submission symlink", file=Path(path).name)
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise _refused("submission symlink", file=Path(path).name) from None
        raise _refused("submission unreadable", file=Path(path).name, error=exc.strerror) from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _refused("submission not a file", file=Path(path).name)
        data = f.read(MAX_SUBMISSION + 1)
    if len(data) > MAX_SUBMISSION:
        raise _refused("submission too large", file=Path(path).name, limit="1 MiB")
    return data
