"""The sandbox's boundary, one property per test: what a student's code can find inside
(nothing worth stealing) and what it can reach outside (nothing), whatever it tries.

Each test runs hostile code as a submission and asserts on effects seen from outside: a
secret planted outside the jail never comes back, a host file is unchanged, a host process
still runs, a listener got no connection, another student's grade is unchanged. CI runs
this file as root and as an unprivileged user (uid 65534).
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT, nonempty, run_tutor, tutor

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the jail is Linux's (bubblewrap); elsewhere the report says what is given up")

MARK = "TUTORSECRET-"
PROBE_YAML = """\
id: "9.9.1"
slug: probe
title: {en: Probe, zh: 探测}
prompt: {en: Look around., zh: 四处看看。}
functions:
  - name: probe
    signature: "probe(n: int) -> list"
    timeout: 120
    cases:
      - {args: ["1"]}
    checks: [value]
starter: |
  def probe(n):
      raise NotImplementedError
"""
# A search for every planted secret, written so that its own text holds none: the mark is
# assembled at run time and a secret is the mark followed by 32 hex digits.
SEARCH = r'''
import os, re, stat, time

_DEADLINE = time.monotonic() + 60  # a search of a whole host (where there is no jail) stops here

def _pattern():
    return re.compile(("TUTOR" + "SECRET-").encode() + rb"[0-9a-f]{32}")

def _scan_bytes(data, where, found):
    for m in _pattern().finditer(data):
        found.add((m.group(0).decode(), where))

def _scan_file(path, found, limit=4 << 20):
    try:
        with open(path, "rb") as f:
            _scan_bytes(f.read(limit), path, found)
    except OSError:
        pass

def _scan_memory(pid, found):
    try:
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        mem = open(f"/proc/{pid}/mem", "rb", buffering=0)
    except OSError:
        return
    with mem:
        for line in maps:
            span, perms = line.split()[:2]
            if "r" not in perms or line.endswith(("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            while start < end and time.monotonic() < _DEADLINE + 30:
                size = min(end - start, 16 << 20)
                try:
                    mem.seek(start)
                    _scan_bytes(mem.read(size), f"memory of {pid}", found)
                except (OSError, ValueError, OverflowError):
                    break
                start += size

def _libraries(top=""):
    """The Python installation and /usr, as the jail binds them from the host: their names are
    searched, their contents (gigabytes of libraries) are not."""
    import site, sys
    roots = {"/usr", sys.prefix, sys.base_prefix, *site.getsitepackages()}
    return tuple(top + os.path.realpath(r).rstrip("/") + "/" for r in roots)

def _walk(top, found, skip, libraries=()):
    for folder, dirs, files in os.walk(top, followlinks=False):
        if time.monotonic() > _DEADLINE:
            return
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
        for name in files:
            path = os.path.join(folder, name)
            _scan_bytes(path.encode(), "a file name", found)
            try:
                if stat.S_ISREG(os.lstat(path).st_mode) and not path.startswith(libraries):
                    _scan_file(path, found)
            except OSError:
                pass
'''


@pytest.fixture()
def jail_kind(monkeypatch):
    """The jail or nothing: these submissions signal every process they can name, and must
    never run in a weaker tier (TUTOR_SANDBOX=jail forbids falling back)."""
    from grader.sandbox import jail

    monkeypatch.setenv("TUTOR_SANDBOX", "jail")
    kind = jail.tier()
    assert kind == "jail", "CI installs bubblewrap: the boundary is tested in the jail, not skipped"
    return kind


@pytest.fixture()
def planted(tmp_path):
    """A course whose references, exercises and git history hold a secret; another student's
    file, a host file and this process's environment and memory hold others."""
    course = tmp_path / "course"
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, course / name)
    (course / "exercises" / "9.9.1-probe.yaml").write_text(PROBE_YAML, encoding="utf-8")
    found = {}
    for where in ("reference", "exercise", "git", "other student", "host file", "environment", "memory"):
        found[where] = MARK + secrets.token_hex(16)
    (course / "solutions" / "9.9.1-probe.py").write_text(
        f"# {found['reference']}\ndef probe(n):\n    return []\n", encoding="utf-8")
    with open(course / "exercises" / "2.5.3-detach.yaml", "a", encoding="utf-8") as f:
        f.write(f"# {found['exercise']}\n")
    (course / "notes.txt").write_text(found["git"], encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(course)]
    subprocess.run(git[:5] + ["init", "-q", str(course)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "course"], check=True)
    (course / "notes.txt").unlink()  # only the object store holds it now
    other = tmp_path / "other-student"
    other.mkdir()
    (other / "2.5.3-detach.py").write_text(f"# {found['other student']}\n", encoding="utf-8")
    host = Path("/tmp") / f"tutor-host-secret-{secrets.token_hex(4)}.txt"
    host.write_text(found["host file"], encoding="utf-8")
    host.chmod(0o644)
    os.environ["TUTOR_TEST_SECRET"] = found["environment"]
    kept_in_memory = found["memory"].encode()  # lives in this grader process while it grades
    yield course, found
    del kept_in_memory
    os.environ.pop("TUTOR_TEST_SECRET", None)
    host.unlink()


@pytest.fixture(scope="module")
def class_jail():
    """The class jail `tutor grade` shares between students: started before any student's
    work, as there, and used by every test of this module that grades in it."""
    from grader.sandbox import jail

    zygote = jail.Zygote("jail", [jail.PACKAGE], [])
    why_not = zygote.wait_ready()
    if why_not:
        zygote.close()
        pytest.fail(f"CI can give each student namespaces of their own: tested, not skipped ({why_not})")
    yield zygote
    zygote.close()


@pytest.fixture(params=["own jail", "class jail"])
def world(request):
    """Where a student's code runs: a jail of its own (`tutor check`), or its own world in
    the class jail (`tutor grade`). Every property below holds in both."""
    if request.param == "own jail":
        return None
    return request.getfixturevalue("class_jail")


def _runner(c, world):
    from grader.sandbox.runner import Runner, default_runner

    return default_runner(masks=[c.root, *c.protected]) if world is None else Runner(server=world.server(), warm=True)


def _grade(course: Path, source: str, slug: str = "probe", seed: int = 1, world=None):
    from grader.course.catalog import Course
    from grader.grading.judge import grade

    c = Course(course)
    ex = c.get(slug)
    path = course / "answer.py"
    path.write_text(source, encoding="utf-8")
    runner = _runner(c, world)
    try:
        return grade(ex, path, c.solution_file(ex), seed, runner, hide=c.protected), runner
    finally:
        runner.close()


def _probe_result(result):
    out = result.outcomes[("probe", 0)]
    assert out.error is None and out.failure is None, (out.error, out.failure)
    return out.result


def test_nothing_worth_stealing_is_inside(jail_kind, planted, world):
    """No file, name, process, environment or memory the student's code can read holds a
    secret from the course, its git history, another student, the host or the grader."""
    course, secret = planted
    source = SEARCH + textwrap.dedent('''
        def probe(n):
            found = set()
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
            for pid in pids:  # the quick places first: a search of a whole host stops at a deadline
                for name in ("environ", "cmdline"):
                    _scan_file(f"/proc/{pid}/{name}", found)
                try:
                    for fd in os.listdir(f"/proc/{pid}/fd"):
                        if stat.S_ISREG(os.stat(f"/proc/{pid}/fd/{fd}").st_mode):  # a pipe would block
                            _scan_file(f"/proc/{pid}/fd/{fd}", found)
                except OSError:
                    pass
                _scan_memory(pid, found)
            _walk("/", found, skip={"/proc", "/sys", "/dev"}, libraries=_libraries())
            for pid in pids:
                for link in ("root", "cwd"):
                    base = f"/proc/{pid}/{link}"
                    try:
                        if os.stat(base).st_ino != os.stat("/").st_ino:
                            _walk(base, found, skip={base + "/proc", base + "/sys"}, libraries=_libraries(base))
                    except OSError:
                        pass
            return sorted(f"{s} in {w}" for s, w in found)
    ''')
    result, _ = _grade(course, source, world=world)
    seen = " ".join(_probe_result(result))
    leaked = [where for where, value in secret.items() if value in seen]
    assert leaked == [], f"reachable from the jail: {leaked}"
    assert result.passed


def test_nothing_outside_the_scratch_folder_is_writable(jail_kind, planted, tmp_path, world):
    course, _ = planted
    source = textwrap.dedent('''
        import os
        def _writable(folder):
            """[] when nothing can be written in folder; else where it is: the scratch
            filesystem (the jail's /tmp, by device) or somewhere else."""
            target = os.path.join(folder, ".tutor-write-test")
            try:
                with open(target, "w") as f:
                    f.write("x")
                os.unlink(target)
            except OSError:
                return []
            scratch = os.stat(folder).st_dev == os.stat(os.getcwd()).st_dev
            return ["scratch" if scratch else f"outside: {folder}"]
        def probe(n):
            writable = []
            for folder, dirs, _ in os.walk("/", followlinks=False):
                dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys")]
                writable += _writable(folder)
            # Every other process's root and working folder, as /proc shows them.
            for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
                for link in ("root", "cwd", "root/tmp"):
                    writable += _writable(f"/proc/{pid}/{link}")
            return writable
    ''')
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file() and ".git" not in p.parts}
    result, _ = _grade(course, source, world=world)
    writable = _probe_result(result)
    assert "scratch" in writable and set(writable) == {"scratch"}, writable
    assert {p: p.read_bytes() for p in before} == before


def test_no_process_outside_the_jail_can_be_seen_or_signalled(jail_kind, planted, world):
    """Every visible process is the jail's own; signals to every pid number, and to all,
    leave the grader and another student's process running."""
    course, _ = planted
    marker = secrets.token_hex(8)
    neighbour = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep(300)  # {marker}"])
    source = textwrap.dedent(f'''
        import os, signal
        def probe(n):
            seen = []
            for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
                try:
                    seen.append(open(f"/proc/{{pid}}/cmdline", "rb").read().replace(b"\\0", b" ").decode())
                except OSError:
                    seen.append("?")
            for how in (signal.SIGSTOP, signal.SIGKILL):
                for pid in [-1] + [p for p in range(1, 70000) if p != os.getpid()]:
                    try:
                        os.kill(pid, how)
                    except OSError:
                        pass
            return [s for s in seen if {marker!r} in s or "pytest" in s]
    ''')
    try:
        result, _ = _grade(course, source, world=world)
        assert _probe_result(result) == []
        assert neighbour.poll() is None
        with open(f"/proc/{neighbour.pid}/stat") as f:
            assert f.read().split(") ")[1][0] != "T", "another process was stopped"
    finally:
        neighbour.kill()
        neighbour.wait()


def test_no_network_reaches_the_host(jail_kind, planted):
    course, _ = planted
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(1.0)
    port = server.getsockname()[1]
    source = textwrap.dedent(f'''
        import socket
        def probe(n):
            errors = []
            for family, address in ((socket.AF_INET, ("127.0.0.1", {port})), (socket.AF_INET6, ("::1", {port}))):
                try:
                    socket.create_connection(address, timeout=2).close()
                    errors.append("connected")
                except OSError as exc:
                    errors.append(type(exc).__name__)
            return [e for e in errors if e == "connected"]
    ''')
    try:
        result, _ = _grade(course, source)
        assert _probe_result(result) == []
        with pytest.raises(socket.timeout):
            server.accept()
    finally:
        server.close()


def test_the_child_is_an_unprivileged_user_in_namespaces_of_its_own(jail_kind, course, world):
    runner = _runner(course, world)
    try:
        notes = runner.probe(hide=course.protected)
    finally:
        runner.close()
    assert runner.kind == "jail" and notes and all(note.ok for note in notes), notes
    said = ", ".join(note.text.en for note in notes)
    for phrase in ("own user namespace, uid 65534, no capabilities", "own process namespace", "no network",
                   "own IPC and host name", "course and references out of reach", "syscall allow-list, no_new_privs",
                   "memory not readable by other processes"):
        assert phrase in said


def test_the_families_of_dangerous_calls_are_denied(jail_kind, planted, world):
    """Whatever namespaces allow, the filter answers EPERM (or ENOSYS) to each family:
    other processes, mounts and file handles, new processes, kernel interfaces."""
    course, _ = planted
    source = textwrap.dedent('''
        import ctypes, errno, os
        import pyseccomp
        NAMES = ["ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
                 "pidfd_send_signal", "open_tree", "move_mount", "fsopen", "mount_setattr", "mount",
                 "open_by_handle_at", "name_to_handle_at", "io_uring_setup", "userfaultfd", "bpf",
                 "perf_event_open", "keyctl", "memfd_create", "unshare", "setns", "execve", "fork", "socket",
                 "rt_sigqueueinfo", "tkill"]
        def probe(n):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            allowed = []
            for name in NAMES:
                number = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)
                args = [1, 0, 0, 0, 0, 0] if name in ("rt_sigqueueinfo", "tkill", "pidfd_open") else [0] * 6
                ctypes.set_errno(0)
                if libc.syscall(number, *args) != -1 or ctypes.get_errno() not in (errno.EPERM, errno.ENOSYS):
                    allowed.append(f"{name}: {os.strerror(ctypes.get_errno())}")
            # prlimit on another process (pid 1 is the jail's init)
            if libc.syscall(pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, "prlimit64"), 1, 7, 0, 0) != -1:
                allowed.append("prlimit64 on pid 1")
            return allowed
    ''')
    result, _ = _grade(course, source, world=world)
    assert _probe_result(result) == []


def test_every_call_outside_the_allow_list_is_denied(jail_kind, planted, world):
    """The filter is an allow-list: each system call this kernel has that is not on it
    answers EPERM (or ENOSYS), whatever family it belongs to, named or not."""
    from grader.sandbox.inside.confine import ALLOWED

    course, _ = planted
    allowed = sorted({name for names in ALLOWED.values() for name in names})
    source = textwrap.dedent('''
        import ctypes, errno, os
        import pyseccomp
        ALLOWED = set(%r)
        # Allowed on conditions (its own pid, thread flags, some requests): a test of their own.
        CONDITIONAL = {"kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "prlimit64", "sched_setaffinity",
                       "clone", "clone3", "ioctl"}
        def probe(n):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            tried, answered = 0, []
            for number in range(1024):
                try:
                    name = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, number)
                except Exception:
                    continue
                name = name.decode() if isinstance(name, bytes) else name
                if not name or name in ALLOWED or name in CONDITIONAL:
                    continue
                tried += 1
                ctypes.set_errno(0)
                if libc.syscall(number, 0, 0, 0, 0, 0, 0) != -1 or ctypes.get_errno() not in (errno.EPERM, errno.ENOSYS):
                    answered.append(f"{name}: {os.strerror(ctypes.get_errno())}")
            return [tried, answered]
    ''' % (allowed,))
    result, _ = _grade(course, source, world=world)
    tried, answered = _probe_result(result)
    assert tried > 100 and answered == [], answered


def test_a_child_stopping_itself_or_the_server_costs_only_its_call(jail_kind, course, tmp_path):
    ex = course.get("detach")
    path = tmp_path / "answer.py"
    path.write_text(textwrap.dedent('''
        import os, signal
        def detached_grad(x):
            for pid in range(1, 100):
                try:
                    os.kill(pid, signal.SIGSTOP)
                except OSError:
                    pass
            os.kill(os.getpid(), signal.SIGSTOP)
        def full_grad(x):
            (x * x).sum().backward()
            return x.grad
    '''), encoding="utf-8")
    from grader.grading.judge import grade
    from grader.sandbox.runner import default_runner

    runner = default_runner(masks=[course.root, *course.protected])
    try:
        result = grade(ex, path, course.solution_file(ex), 7, runner, hide=course.protected)
    finally:
        runner.close()
    detached = [p.message for r in result.results if r.function == "detached_grad" for p in r.problems]
    assert detached and "did not finish within" in detached[0]
    assert all(r.passed for r in nonempty(r for r in result.results if r.function == "full_grad"))


@pytest.mark.parametrize("link_to", ["reference", "/dev/zero"])
def test_a_symlinked_submission_is_refused(jail_kind, course_copy_with_workspace, link_to):
    course = course_copy_with_workspace
    target = course / "solutions" / "2.5.3-detach.py" if link_to == "reference" else Path(link_to)
    answer = course / "workspace" / "2.5.3-detach.py"
    answer.unlink()
    answer.symlink_to(target)
    proc = tutor("check", "2.5.3", cwd=course, env={"TUTOR_SEED": "1"})
    said = " ".join(proc.stdout.split())
    assert proc.returncode == 1 and "2.5.3-detach.py is a symlink" in said, proc.stdout + proc.stderr


def test_an_oversized_submission_is_refused(jail_kind, course_copy_with_workspace):
    course = course_copy_with_workspace
    answer = course / "workspace" / "2.5.3-detach.py"
    answer.write_text((course / "solutions" / "2.5.3-detach.py").read_text() + "#" * (1 << 20), encoding="utf-8")
    proc = tutor("check", "2.5.3", cwd=course, env={"TUTOR_SEED": "1"})
    said = " ".join(proc.stdout.split())
    assert proc.returncode == 1 and "is larger than 1 MiB" in said, proc.stdout + proc.stderr


@pytest.fixture()
def course_copy_with_workspace(tmp_path, small_course):
    """A course copy whose workspace holds every reference: each exercise passes until a test
    writes a file of its own."""
    for name in ("exercises", "solutions"):
        shutil.copytree(small_course / name, tmp_path / name)
    shutil.copytree(small_course / "solutions", tmp_path / "workspace")
    return tmp_path


FORGERIES = {
    "garbage": "os.write(fd, b'\\x00\\xff' * 4096)",
    "oversized": "os.write(fd, struct.pack('<IB', 0xFFFFFFF0, ord('O')))",
    "forged crash": "os.write(fd, struct.pack('<IB', 40, ord('X')) + b'::error::forged\\x1b[2J'.ljust(40))",
    "bad outcome": "os.write(fd, struct.pack('<IB', 9, ord('O')) + b'\\x01' * 9)",
    "early done": "os.write(fd, struct.pack('<IB', 0, ord('D')))",
    # A well-formed outcome for the call in flight, with no entry for its argument.
    "wrong arity": "h = json.dumps({'result': {'k': 'NoneType'}, 'error': None, 'failure': None, 'missing': False, "
                   "'facts': {}, 'args': [], 'grads': [], 'bumped': [], 'forbidden': [], 'output': '', "
                   "'output_size': 0, 'probes': {}, 'seconds': 0.0}).encode(); "
                   "os.write(fd, struct.pack('<IB', 8 + len(h), ord('O')) + struct.pack('<Q', len(h)) + h)",
    "wrong call": "os.write(fd, struct.pack('<IB', 16, ord('B')) + b'[\"full_grad\", 3]'); os.write(fd, struct.pack('<IB', 0, ord('D')))",
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_frames_a_submission_forges_fail_its_call_and_nothing_else(jail_kind, course_copy_with_workspace, forgery):
    course = course_copy_with_workspace
    (course / "workspace" / "2.5.3-detach.py").write_text(textwrap.dedent(f'''
        import json, os, struct, torch
        def detached_grad(x):
            for fd in range(3, 64):
                try:
                    os.fstat(fd)
                except OSError:
                    continue
                {FORGERIES[forgery]}
            return None
        def full_grad(x):
            (x * x).sum().backward()
            return x.grad
    '''), encoding="utf-8")
    proc = tutor("check", "2.5.3", "--format", "json", cwd=course, env={"TUTOR_SEED": "1"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "a bug in tutor" not in proc.stderr and "::error::forged" not in proc.stdout
    import json

    tests = json.loads(proc.stdout)["tests"]
    assert all(t["status"] == "pass" for t in nonempty(t for t in tests if "full_grad" in t["name"]))
    assert any(t["status"] != "pass" for t in tests if "detached_grad" in t["name"])


HOSTILE_VALUES = {
    "sparse": "torch.eye(3).to_sparse()",
    "quantized": "torch.quantize_per_tensor(torch.rand(3), 0.1, 0, torch.quint8)",
    "nested": "torch.nested.nested_tensor([torch.rand(2), torch.rand(3)])",
    "mkldnn": "torch.rand(3).to_mkldnn()",
    "expanded": "torch.zeros(1).expand(10**12)",
    "huge int": "10 ** 100000",
    "deep tuple": "functools.reduce(lambda t, _: (t,), range(100000), ())",
    "tuple subclass": "Evil((1, 2))",
    "posing as a tensor": "Poser()",
    "meta": "torch.empty(3, device='meta')",
}


def test_any_returned_value_gets_a_verdict(jail_kind, course_copy_with_workspace):
    course = course_copy_with_workspace
    cases = "\n".join(f"    {i}: lambda: {expr}," for i, expr in enumerate(HOSTILE_VALUES.values()))
    (course / "workspace" / "2.1.2-elementwise.py").write_text(textwrap.dedent('''
        import functools, sys, torch
        sys.set_int_max_str_digits(0)
        class Evil(tuple):
            def __iter__(self):
                while True:
                    yield self
            def __getitem__(self, i):
                raise RuntimeError("no")
            def __len__(self):
                return 10**9
        class Poser:
            __class__ = property(lambda self: torch.Tensor)
        calls = 0
        VALUES = {
    ''') + cases + textwrap.dedent('''
        }
        def _next(*args):
            global calls
            calls += 1
            return VALUES[calls % len(VALUES)]()
        arithmetic = compare = exp = _next
    '''), encoding="utf-8")
    proc = tutor("check", "--all", "--format", "json", cwd=course, env={"TUTOR_SEED": "1"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert "a bug in tutor" not in proc.stderr
    assert {t["status"] for t in report["tests"]} >= {"pass", "fail"}  # the other exercises were graded


def test_a_result_far_larger_than_the_references_is_not_compared(jail_kind, course_copy_with_workspace):
    course = course_copy_with_workspace
    answer = course / "workspace" / "2.1.2-elementwise.py"
    answer.write_text(answer.read_text(encoding="utf-8") + textwrap.dedent('''
        def exp(*args):
            return torch.rand(400_000)  # 1.6 MB where the reference returns a few numbers
    '''), encoding="utf-8")
    proc = tutor("check", "2.1.2", "--format", "json", cwd=course, env={"TUTOR_SEED": "1"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    import json

    tests = json.loads(proc.stdout)["tests"]
    assert all(t["status"] == "fail" and "1,600,000 bytes" in t["message"] and "not compared" in t["message"]
               for t in nonempty(t for t in tests if " exp " in t["name"])), tests
    assert all(t["status"] == "pass" for t in nonempty(t for t in tests if " exp " not in t["name"]))


def test_the_grader_memory_stays_bounded_whatever_results_come_back(jail_kind, tmp_path):
    course = tmp_path  # the whole course: check --all's memory, with every reference it holds
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, course / name)
    shutil.copytree(ROOT / "solutions", course / "workspace")
    (course / "workspace" / "2.1.2-elementwise.py").write_text(textwrap.dedent('''
        import torch
        def _big(*args):
            return torch.rand(16 << 20)  # 64 MiB from every call
        arithmetic = compare = exp = _big
    '''), encoding="utf-8")
    script = ("import resource, sys; sys.argv = ['tutor', 'check', '--all', '--format', 'json']; import cli\n"
              "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
              "sys.stderr.write(f'PEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')")
    proc = subprocess.run([sys.executable, "-c", script], cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "TUTOR_SEED": "1"}, timeout=600)
    peak_kib = int(proc.stderr.split("PEAK ")[1].split()[0])
    assert peak_kib < 600 * 1024, f"{peak_kib // 1024} MiB"


def test_one_student_cannot_touch_another_students_grade(jail_kind, tmp_path, small_course):
    course = tmp_path / "course"
    for name in ("exercises", "solutions"):
        shutil.copytree(small_course / name, course / name)
    good = tmp_path / "good"
    shutil.copytree(small_course / "solutions", good)
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "2.1.1-tensor-init.py").write_text(textwrap.dedent(f'''
        import ctypes, os, signal
        libc = ctypes.CDLL(None, use_errno=True)
        info = (ctypes.c_int * 32)(signal.SIGKILL, 0, -1)  # si_signo, si_errno, si_code = SI_QUEUE
        me = os.getpid()
        for pid in [-1] + [p for p in range(1, 70000) if p != me]:  # every way to signal a process
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            libc.syscall(129, pid, signal.SIGKILL, info)  # rt_sigqueueinfo (x86_64)
            fd = libc.syscall(434, pid, 0)  # pidfd_open
            if fd >= 0:
                libc.syscall(424, fd, signal.SIGKILL, 0, 0)  # pidfd_send_signal
        places = ["/", "/tmp", {str(course)!r}, {str(ROOT)!r}, {str(ROOT / "grader")!r}, {str(good)!r}]
        places += [f"/proc/{{p}}/root{{place}}" for p in os.listdir("/proc") if p.isdigit() for place in places]
        for folder in places:
            try:
                open(os.path.join(folder, "sitecustomize.py"), "w").write("import os; os._exit(3)")
            except OSError:
                pass
    '''), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_tutor("grade", str(good), str(evil), "--out", str(out), "--jobs", "2", cwd=course,
                     env={"TUTOR_SEED": "1"})
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    import csv

    with open(out / "grades.csv", encoding="utf-8-sig") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert float(rows["good"]["total"]) == len(list((course / "exercises").glob("*.yaml")))
    assert not any(Path(p, "sitecustomize.py").exists() for p in (course, ROOT, ROOT / "grader", good))


STUDENTS_APART = r'''
import ctypes, os
KEY = 0x7475746F  # one SysV IPC key for every student: "tuto"
MARK = "tutor-" + "left-by-another-student"
LIBRARIES = tuple(p.rstrip("/") + "/" for p in {LIBRARIES!r})

def _places():
    """Every folder a student can see but the read-only libraries, /proc and /sys."""
    for folder, dirs, files in os.walk("/", followlinks=False):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys")
                   and not (os.path.join(folder, d) + "/").startswith(LIBRARIES)]
        yield folder, files

def probe(n):
    libc = ctypes.CDLL(None, use_errno=True)
    if LEAVES:  # the first student leaves something wherever it can
        for folder, _ in _places():
            try:
                open(os.path.join(folder, MARK), "w").write(MARK)
            except OSError:
                pass
        libc.shmget(KEY, 4096, 0o1666)  # IPC_CREAT | 0666
        libc.semget(KEY, 1, 0o1666)
        libc.msgget(KEY, 0o1666)
        return []
    # the next student looks for it, and for any process but its own
    found = [os.path.join(folder, MARK) for folder, files in _places() if MARK in files]
    found += [name for name, get in (("shm", lambda: libc.shmget(KEY, 0, 0)), ("sem", lambda: libc.semget(KEY, 0, 0)),
                                     ("msg", lambda: libc.msgget(KEY, 0))) if get() >= 0]
    found += [f"process {p}" for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    return found
'''


def test_nothing_one_student_leaves_reaches_another(jail_kind, planted, class_jail):
    """In the class jail, what a student's code leaves behind (files wherever it can write,
    System V IPC objects) is not there for the next student, who can name no process but its
    own."""
    import site

    course, _ = planted
    libraries = sorted({"/usr", sys.prefix, sys.base_prefix, *site.getsitepackages()})
    source = STUDENTS_APART.replace("{LIBRARIES!r}", repr(libraries))
    first, _ = _grade(course, source.replace("LEAVES", "True"), world=class_jail)
    assert first.passed
    second, _ = _grade(course, source.replace("LEAVES", "False"), world=class_jail)
    assert _probe_result(second) == []


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except (OSError, ValueError):
            continue
        parents[int(entry.name)] = int(status.split("PPid:")[1].split()[0])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_no_process_is_left_when_the_grader_is_done(jail_kind, course):
    from grader.sandbox.runner import default_runner

    runner = default_runner(masks=[course.root, *course.protected])
    runner.probe()
    pid = runner.server.proc.pid
    jailed = _descendants(pid) | {pid}
    assert len(jailed) >= 3  # bwrap, its init, the server (and a spare child)
    runner.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in jailed):
        time.sleep(0.1)
    assert not [p for p in jailed if Path(f"/proc/{p}").exists()]
