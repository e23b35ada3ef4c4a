"""Windows' resource limits: a Job Object around the warm worker (Windows has no setrlimit).

The grader puts the worker in a job that caps its memory and CPU time, lets it start no
process of its own, and ends it with the grader (`Job`); the worker reads back what its job
enforces, for the report (`limits_in_force`). Structures as Windows lays them out on 64 and 32 bits, so that a
test on any platform checks their layout; the calls are made only on Windows.
"""
from __future__ import annotations

import ctypes

DWORD = ctypes.c_uint32  # not ctypes.wintypes.DWORD: c_ulong is 8 bytes on 64-bit Linux, where the layout is tested

JOB_OBJECT_LIMIT_PROCESS_TIME = 0x00000002
JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x00000008
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
EXTENDED_LIMIT_INFORMATION = 9  # JOBOBJECTINFOCLASS JobObjectExtendedLimitInformation
TICKS = 10_000_000  # a second in Windows' 100 ns units


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


def _user_seconds(k, process_handle) -> float:
    """The CPU time the process has spent in user mode (GetProcessTimes, in 100 ns units)."""
    times = [ctypes.c_uint64() for _ in range(4)]  # creation, exit, kernel, user: FILETIMEs
    if not k.GetProcessTimes(process_handle, *(ctypes.byref(t) for t in times)):
        raise OSError(f"GetProcessTimes failed ({_last_error()})")
    return times[3].value / TICKS


class Job:
    """The warm worker's Job Object: at most `memory_bytes` of committed memory, no process
    of its own, ended when the grader's handle closes; and, per job, `cpu_seconds` of CPU time
    from now (a warm worker has used some). Raises OSError when Windows refuses."""

    def __init__(self, process_handle: int, memory_bytes: int, kernel32=None):
        self.k, self.process = kernel32 or _kernel32(), process_handle
        self.info = ExtendedLimits()
        self.info.BasicLimitInformation.LimitFlags = (JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
                                                      | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
                                                      | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION)
        self.info.BasicLimitInformation.ActiveProcessLimit = 1
        self.info.ProcessMemoryLimit = memory_bytes
        self.handle = self.k.CreateJobObjectW(None, None)  # kept open for the grader's life: closing it ends the worker
        if not self.handle:
            raise OSError(f"CreateJobObject failed ({_last_error()})")
        self._set()
        if not self.k.AssignProcessToJobObject(self.handle, process_handle):
            raise OSError(f"AssignProcessToJobObject failed ({_last_error()})")

    def _set(self) -> None:
        if not self.k.SetInformationJobObject(self.handle, EXTENDED_LIMIT_INFORMATION, ctypes.byref(self.info),
                                              ctypes.sizeof(self.info)):
            raise OSError(f"SetInformationJobObject failed ({_last_error()})")

    def allow_cpu(self, cpu_seconds: float) -> None:
        """Before each job: the process may use `cpu_seconds` more of CPU time, then it ends."""
        basic = self.info.BasicLimitInformation
        basic.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_TIME
        basic.PerProcessUserTimeLimit = int((_user_seconds(self.k, self.process) + cpu_seconds) * TICKS)
        self._set()


def limits_in_force(kernel32=None) -> dict:
    """What this process's job enforces, named as setrlimit's limits are ({} outside a job);
    CPU time as what is left of it."""
    k = kernel32 or _kernel32()
    info = ExtendedLimits()
    if not k.QueryInformationJobObject(None, EXTENDED_LIMIT_INFORMATION, ctypes.byref(info), ctypes.sizeof(info), None):
        return {}
    basic, found = info.BasicLimitInformation, {}
    if basic.LimitFlags & JOB_OBJECT_LIMIT_PROCESS_MEMORY:
        found["as"] = info.ProcessMemoryLimit
    if basic.LimitFlags & JOB_OBJECT_LIMIT_PROCESS_TIME:
        found["cpu"] = int(basic.PerProcessUserTimeLimit / TICKS - _user_seconds(k, k.GetCurrentProcess()))
    return found
