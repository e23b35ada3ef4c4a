"""Windows' limits (a Job Object around the warm worker), tested where they can be: the
structures' layout as Windows defines it, and the calls, against a stand-in kernel32."""
import ctypes
import struct

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


def test_the_worker_is_put_in_a_job_that_caps_memory_and_processes_and_reads_its_limits_back():
    kernel = Kernel32()
    assert winjob.limit(1234, 4 << 30, kernel32=kernel) is None
    assert kernel.calls == ["create", ("set", 77, winjob.EXTENDED_LIMIT_INFORMATION, ctypes.sizeof(winjob.ExtendedLimits)),
                            ("assign", 77, 1234)]
    basic = kernel.limits.BasicLimitInformation
    for flag in (winjob.JOB_OBJECT_LIMIT_PROCESS_MEMORY, winjob.JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
                 winjob.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE):
        assert basic.LimitFlags & flag
    assert basic.ActiveProcessLimit == 1 and kernel.limits.ProcessMemoryLimit == 4 << 30
    assert winjob.limits_in_force(kernel32=kernel) == {"as": 4 << 30}
    assert winjob.limits_in_force(kernel32=Kernel32()) == {}  # not in a job


def test_a_job_that_cannot_be_made_says_why():
    assert "CreateJobObject failed" in winjob.limit(1, 1 << 30, kernel32=Kernel32(fail="create"))
    assert "SetInformationJobObject failed" in winjob.limit(1, 1 << 30, kernel32=Kernel32(fail="set"))


def test_the_report_names_the_limits_a_job_gives_and_those_it_does_not():
    from grader.sandbox.jail import DEFAULT_LIMITS, judge_facts

    notes = judge_facts({"platform": "win32", "limits": {"as": DEFAULT_LIMITS["memory_bytes"]}}, DEFAULT_LIMITS)
    said = " ".join(n.text.en for n in notes if not n.ok)
    assert "memory" not in said and "CPU" in said  # memory capped; CPU time and file size are not, there
