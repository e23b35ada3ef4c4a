"""Notice forbidden calls while a student's function runs (in the jail's child only).

Three nets, because calls reach the computation by three roads:
- a TorchFunctionMode sees torch functions and Tensor methods (`torch.cos`, `x.cos()`);
- a TorchDispatchMode sees every aten operator (`torch.ops.aten.cos`, and anything that
  makes a tensor), and asks autograd which backward node is running so that the cos
  computed by sin's own backward stays allowed;
- plain Python functions (`math.cos`, `numpy.cos`, `torch.broadcast_shapes`) are wrapped
  on their module before the student's file is imported, so `from math import cos` is
  caught too.
Calls are recorded, not blocked: the value checks still judge the answer, and the
`forbidden` check says which call broke the rule.
"""
from __future__ import annotations

import contextlib
import functools
import importlib

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

_MODULES = {"math": "math", "cmath": "cmath", "numpy": "numpy", "np": "numpy", "torch": "torch"}


class Monitor:
    def __init__(self, calls, allow_in_backward=()):
        self.active = False
        self.seen: list[str] = []
        self.allow = set(allow_in_backward)
        self.aten: set[str] = set()  # aten operator names, "*" for any
        self.torch: set[str] = set()  # torch function / Tensor method names, "*" for any
        self.patch: list[tuple[str, str]] = []  # (module, attribute) to wrap
        for call in calls:
            prefix, _, name = call.rpartition(".")
            if prefix == "aten":
                self.aten.add(name)
            elif prefix in ("torch", "Tensor", "torch.Tensor"):
                self.torch.add(name)
                if prefix == "torch" and name != "*":
                    self.patch.append(("torch", name))
            elif prefix in _MODULES:
                self.patch.append((_MODULES[prefix], name))
            else:
                raise ValueError(f"cannot watch calls to {call!r}")

    def _record(self, name: str):
        if name not in self.seen:
            self.seen.append(name)

    def install(self):
        """Wrap the plain Python functions; call before the student's file is imported."""
        for module_name, attr in self.patch:
            module = importlib.import_module(module_name)
            original = getattr(module, attr, None)
            if original is None or isinstance(original, type):
                continue  # a class replaced by a function breaks isinstance() inside numpy and torch
            setattr(module, attr, self._wrap(f"{module_name}.{attr}", original))

    def _wrap(self, label, original):
        monitor = self

        @functools.wraps(original)
        def watched(*args, **kwargs):
            if monitor.active:
                monitor._record(label)
            return original(*args, **kwargs)

        return watched

    @contextlib.contextmanager
    def watching(self):
        self.active = True
        modes = []
        if self.torch:
            modes.append(_FunctionNet(self))
        if self.aten:
            modes.append(_DispatchNet(self))
        try:
            with contextlib.ExitStack() as stack:
                for mode in modes:
                    stack.enter_context(mode)
                yield
        finally:
            self.active = False

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


class _FunctionNet(TorchFunctionMode):
    def __init__(self, monitor: Monitor):
        super().__init__()
        self.monitor = monitor

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if "*" in self.monitor.torch or name in self.monitor.torch:
            self.monitor._record(f"torch.{name}")
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
        if "*" in self.monitor.aten or name in self.monitor.aten:
            node = torch._C._current_autograd_node()
            if node is None or node.name() not in self.monitor.allow:
                self.monitor._record(f"aten.{name}")
        return func(*args, **(kwargs or {}))
