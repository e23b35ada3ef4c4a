"""tutor's commands (Typer; thin by design: each parses its arguments and calls the engine).

`base` holds what they share; `student` and `instructor` the commands; `localize` their help
in the language asked for. `list`, `show`, `hint` and `reset` never import torch; `check`
and `validate` import it lazily, once.
"""
from . import instructor, student  # noqa: F401  (they add their commands to the app)
from .base import app, main

__all__ = ["app", "main"]
