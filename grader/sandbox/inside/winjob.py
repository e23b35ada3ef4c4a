"""Windows' resource limits: a Job Object around the warm worker (Windows has no setrlimit).

The grader puts the worker in a job that caps its memory, lets it start no process of its own,
and ends it with the grader (`limit`); the worker reads back what its job enforces, for the
report (`limits_in_force`). Structures as Windows lays them out on 64 and 32 bits, so that a
test on any platform checks their layout; the calls are made only on Windows.
"""
from __future__ import annotations

import ctypes

DWORD = ctypes.c_uint32  # not ctypes.wintypes.DWORD: c_ulong is 8 bytes on 64-bit Linux, where the layout is tested

JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x00000008
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
EXTENDED_LIMIT_INFORMATION = 9  # JOBOBJECTINFOCLASS JobObjectExtendedLimitInformation


class BasicLimits(ctypes.Structure):  # JOBOBJECT_BASIC_LIMIT_INFORMATION
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", DWORD),
                ("Affinity", ctypes.c_size_t), ("PriorityClass", DWORD), ("SchedulingClass", DWORD)]


class IoCounters(ctypes.Structure):  # IO_COUNTERS
    _fields_ = [(name, ctypes.c_uint64) for name in ("ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
                                                      "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class ExtendedLimits(ctypes.Structure):  # JOBOBJECT_EXTENDED_LIMIT_INFORMATION
    _fields_ = [("BasicLimitInformation", BasicLimits), ("IoInfo", IoCounters),
                ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]


def _last_error() -> int:
    return ctypes.get_last_error() if hasattr(ctypes, "get_last_error") else 0  # Windows' GetLastError


def _kernel32():
    return ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]  (Windows only)


def limit(process_handle: int, memory_bytes: int, kernel32=None) -> str | None:
    """Put the process in a new job: at most `memory_bytes` of committed memory, no process
    of its own, ended when the grader's handle closes. None when it holds, else why not."""
    k = kernel32 or _kernel32()
    info = ExtendedLimits()
    info.BasicLimitInformation.LimitFlags = (JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
                                             | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
                                             | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION)
    info.BasicLimitInformation.ActiveProcessLimit = 1
    info.ProcessMemoryLimit = memory_bytes
    job = k.CreateJobObjectW(None, None)
    if not job:
        return f"CreateJobObject failed ({_last_error()})"
    if not k.SetInformationJobObject(job, EXTENDED_LIMIT_INFORMATION, ctypes.byref(info), ctypes.sizeof(info)):
        return f"SetInformationJobObject failed ({_last_error()})"
    if not k.AssignProcessToJobObject(job, process_handle):
        return f"AssignProcessToJobObject failed ({_last_error()})"
    return None  # the job's handle stays open for the grader's life: closing it ends the worker


def limits_in_force(kernel32=None) -> dict:
    """What this process's job enforces, named as setrlimit's limits are ({} outside a job)."""
    k = kernel32 or _kernel32()
    info = ExtendedLimits()
    if not k.QueryInformationJobObject(None, EXTENDED_LIMIT_INFORMATION, ctypes.byref(info), ctypes.sizeof(info), None):
        return {}
    found = {}
    if info.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_PROCESS_MEMORY:
        found["as"] = info.ProcessMemoryLimit
    return found
