"""Windows' limits (a Job Object around the warm worker), tested where they can be: the
structures' layout as Windows defines it, and the calls, against a stand-in kernel32."""
import ctypes
import struct

import pytest

from grader.sandbox.inside import winjob


class Kernel32:
    """Records the calls; SetInformationJobObject keeps the limits it was given, and
    QueryInformationJobObject answers with them, as one process's job would."""

    def __init__(self, fail: str = ""):
        self.fail, self.calls, self.limits = fail, [], None

    def CreateJobObjectW(self, attributes, name):
        self.calls.append("create")
        return 0 if self.fail == "create" else 77

    def SetInformationJobObject(self, job, kind, info, size):
        self.calls.append(("set", job, kind, size))
        self.limits = winjob.ExtendedLimits.from_buffer_copy(info._obj)
        return 0 if self.fail == "set" else 1

    def AssignProcessToJobObject(self, job, process):
        self.calls.append(("assign", job, process))
        return 1

    def GetCurrentProcess(self):
        return -1

    def GetProcessTimes(self, process, creation, exited, kernel, user):
        user._obj.value = int(self.user_seconds * winjob.TICKS)  # FILETIME, in 100 ns units
        return 1

    user_seconds = 3.0

    def QueryInformationJobObject(self, job, kind, info, size, returned):
        if self.limits is None:
            return 0
        ctypes.memmove(ctypes.addressof(info._obj), ctypes.addressof(self.limits), size)
        return 1


def test_the_structures_are_laid_out_as_windows_defines_them():
    if struct.calcsize("P") == 8:  # x64: JOBOBJECT_EXTENDED_LIMIT_INFORMATION is 144 bytes
        assert ctypes.sizeof(winjob.BasicLimits) == 64 and ctypes.sizeof(winjob.ExtendedLimits) == 144
        assert winjob.ExtendedLimits.ProcessMemoryLimit.offset == 112
        assert winjob.BasicLimits.ActiveProcessLimit.offset == 40 and winjob.BasicLimits.Affinity.offset == 48
    else:  # x86
        assert ctypes.sizeof(winjob.BasicLimits) == 48 and ctypes.sizeof(winjob.ExtendedLimits) == 112


def test_the_worker_is_put_in_a_job_that_caps_memory_cpu_and_processes_and_reads_its_limits_back():
    kernel = Kernel32()
    job = winjob.Job(1234, 4 << 30, kernel32=kernel)
    assert kernel.calls == ["create", ("set", 77, winjob.EXTENDED_LIMIT_INFORMATION, ctypes.sizeof(winjob.ExtendedLimits)),
                            ("assign", 77, 1234)]
    basic = kernel.limits.BasicLimitInformation
    for flag in (winjob.JOB_OBJECT_LIMIT_PROCESS_MEMORY, winjob.JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
                 winjob.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE):
        assert basic.LimitFlags & flag
    assert basic.ActiveProcessLimit == 1 and kernel.limits.ProcessMemoryLimit == 4 << 30
    assert winjob.limits_in_force(kernel32=kernel) == {"as": 4 << 30}
    # Each job may use 120 s of CPU from where the warm worker stands (3 s used so far).
    job.allow_cpu(120)
    basic = kernel.limits.BasicLimitInformation
    assert basic.LimitFlags & winjob.JOB_OBJECT_LIMIT_PROCESS_TIME and basic.LimitFlags & winjob.JOB_OBJECT_LIMIT_PROCESS_MEMORY
    assert basic.PerProcessUserTimeLimit == 123 * winjob.TICKS
    assert winjob.limits_in_force(kernel32=kernel) == {"as": 4 << 30, "cpu": 120}
    assert winjob.limits_in_force(kernel32=Kernel32()) == {}  # not in a job


def test_a_job_that_cannot_be_made_says_why():
    with pytest.raises(OSError, match="CreateJobObject failed"):
        winjob.Job(1, 1 << 30, kernel32=Kernel32(fail="create"))
    with pytest.raises(OSError, match="SetInformationJobObject failed"):
        winjob.Job(1, 1 << 30, kernel32=Kernel32(fail="set"))


def test_the_report_names_the_limits_a_job_gives_and_those_it_does_not():
    from grader.sandbox.jail import DEFAULT_LIMITS, judge_facts

    given = {"as": DEFAULT_LIMITS["memory_bytes"], "cpu": DEFAULT_LIMITS["cpu_seconds"]}
    said = " ".join(n.text.en for n in judge_facts({"platform": "win32", "limits": given}, DEFAULT_LIMITS) if not n.ok)
    assert "memory" not in said and "CPU" not in said and "file size" in said  # a job has no file-size limit
