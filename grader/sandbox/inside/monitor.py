"""Notice forbidden calls, and calls a function must make, while a student's function runs
(in the jail's child only).

Three nets, because calls reach the computation by three roads:
- a TorchFunctionMode sees torch functions and Tensor methods (`torch.cos`, `x.cos()`);
- a TorchDispatchMode sees every aten operator (`torch.ops.aten.cos`, and anything that
  makes a tensor), and asks autograd which backward node is running so that the cos
  computed by sin's own backward stays allowed;
- plain Python functions (`math.cos`, `numpy.cos`, `torch.broadcast_shapes`) are wrapped
  on their module before the student's file is imported, so `from math import cos` is
  caught too.
Calls are recorded, not blocked: the value checks still judge the answer, and the
`forbidden` check says which call broke the rule. Calls a `uses` check requires are
recorded as the course names them; the grader judges which are missing.
"""
from __future__ import annotations

import contextlib
import functools
import importlib

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

_MODULES = {"math": "math", "cmath": "cmath", "numpy": "numpy", "np": "numpy", "torch": "torch"}


class _Names:
    """Call names as a course writes them, sorted by the net that sees them."""

    def __init__(self, calls):
        self.aten: dict[str, str] = {}  # aten operator name ("*" for any) -> the name as written
        self.torch: dict[str, str] = {}  # torch function / Tensor method name ("*" for any) -> as written
        self.patch: dict[tuple[str, str], str] = {}  # (module, attribute) to wrap -> as written
        for call in calls:
            prefix, _, name = call.rpartition(".")
            root, _, rest = prefix.partition(".")
            if prefix == "aten":
                self.aten[name] = call
            elif prefix in ("torch", "Tensor", "torch.Tensor"):
                self.torch[name] = call
                if prefix == "torch" and name != "*":
                    self.patch[("torch", name)] = call
            elif root in _MODULES:  # math.cos, and dotted: torch.autograd.grad, np.linalg.norm
                self.patch[(_MODULES[root] + (f".{rest}" if rest else ""), name)] = call
            else:
                raise ValueError(f"cannot watch calls to {call!r}")

    def torch_hit(self, name: str) -> str | None:
        return self.torch.get(name, self.torch.get("*"))

    def aten_hit(self, name: str) -> str | None:
        return self.aten.get(name, self.aten.get("*"))


class Monitor:
    """`calls`: forbidden (recorded as they happened: `torch.cos`, `aten.cos`, `math.cos`);
    `uses`: required (recorded as written in the course); `allow`: backward nodes whose aten
    calls are not forbidden."""

    def __init__(self, calls=(), allow=(), uses=()):
        self.active = False
        self.seen: list[str] = []
        self.used: list[str] = []
        self.allow = set(allow)
        self.forbid, self.need = _Names(calls), _Names(uses)
        self.uses = tuple(uses)

    @staticmethod
    def _record(into: list, name: str):
        if name not in into:
            into.append(name)

    def install(self):
        """Wrap the plain Python functions; call before the student's file is imported."""
        for module_name, attr in dict.fromkeys([*self.forbid.patch, *self.need.patch]):
            module = importlib.import_module(module_name)
            original = getattr(module, attr, None)
            if original is None or isinstance(original, type):
                continue  # a class replaced by a function breaks isinstance() inside numpy and torch
            forbidden = f"{module_name}.{attr}" if (module_name, attr) in self.forbid.patch else None
            setattr(module, attr, self._wrap(forbidden, self.need.patch.get((module_name, attr)), original))

    def _wrap(self, forbidden, needed, original):
        monitor = self

        @functools.wraps(original)
        def watched(*args, **kwargs):
            if monitor.active:
                if forbidden:
                    monitor._record(monitor.seen, forbidden)
                if needed:
                    monitor._record(monitor.used, needed)
            return original(*args, **kwargs)

        return watched

    @contextlib.contextmanager
    def watching(self):
        self.active = True
        modes = []
        if self.forbid.torch or self.need.torch:
            modes.append(_FunctionNet(self))
        if self.forbid.aten or self.need.aten:
            modes.append(_DispatchNet(self))
        try:
            with contextlib.ExitStack() as stack:
                for mode in modes:
                    stack.enter_context(mode)
                yield
        finally:
            self.active = False

    def take(self) -> list[str]:
        """The forbidden calls seen since the last take."""
        seen, self.seen = self.seen, []
        return seen

    def take_used(self) -> list[str]:
        """The required calls made since the last take, as the course names them."""
        used, self.used = self.used, []
        return used


class _FunctionNet(TorchFunctionMode):
    def __init__(self, monitor: Monitor):
        super().__init__()
        self.monitor = monitor

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if self.monitor.forbid.torch_hit(name):
            self.monitor._record(self.monitor.seen, f"torch.{name}")
        if needed := self.monitor.need.torch_hit(name):
            self.monitor._record(self.monitor.used, needed)
        return func(*args, **(kwargs or {}))


class _DispatchNet(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # Otherwise torch wraps __torch_dispatch__ in dynamo.disable, and its first call
        # imports torch._dynamo: 1.7 s in every sandboxed child. We never compile here.
        return False

    def __init__(self, monitor: Monitor):
        super().__init__()
        self.monitor = monitor

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if self.monitor.forbid.aten_hit(name):
            node = torch._C._current_autograd_node()
            if node is None or node.name() not in self.monitor.allow:
                self.monitor._record(self.monitor.seen, f"aten.{name}")
        if needed := self.monitor.need.aten_hit(name):
            self.monitor._record(self.monitor.used, needed)
        return func(*args, **(kwargs or {}))
