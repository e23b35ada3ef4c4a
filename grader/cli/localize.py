"""`tutor --help` in the language asked for: the help texts of messages/help.py, and Typer's
and Click's own words, applied to the command tree before the arguments are parsed."""
from __future__ import annotations

import sys

from typer.core import TyperGroup

from ..messages.help import FRAME, help_text
from ..messages.ui import chosen_language


class _Localized(TyperGroup):
    """The app's command tree, its help in the language asked for. `--help` is answered while
    the arguments are parsed, before any command runs, so the language is read from them
    (and TUTOR_LANG, the locale) first, and the help texts and Typer's own words set from
    messages/help.py."""

    def main(self, args=None, *rest, **options):
        argv = list(sys.argv[1:] if args is None else args)
        asked = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None) or next(
            (argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"), None)
        lang = chosen_language(asked)
        _localize(self, "zh" if lang == "zh" else "en")
        return super().main(argv, *rest, **options)


# Typer's own words (its rich_utils constants) and their keys in FRAME.
_TYPER_WORDS = (("ARGUMENTS_PANEL_TITLE", "arguments"), ("OPTIONS_PANEL_TITLE", "options"),
                ("COMMANDS_PANEL_TITLE", "commands"), ("DEFAULT_STRING", "default"), ("ENVVAR_STRING", "env var"),
                ("REQUIRED_LONG_STRING", "required"), ("ERRORS_PANEL_TITLE", "error"), ("ABORTED_TEXT", "aborted"),
                ("RICH_HELP", "try help"))


def _localize(command, lang: str) -> None:
    from typer._click.formatting import HelpFormatter

    # English is Typer's own (a test keeps FRAME's the same): `tutor list` need not import
    # rich_utils (80 ms) to set it, unless another language set it earlier in this process.
    if lang != "en" or "typer.rich_utils" in sys.modules:
        from typer import rich_utils

        for name, key in _TYPER_WORDS:
            setattr(rich_utils, name, FRAME[key].get(lang))
    usage = FRAME["usage"].get(lang)

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, usage if prefix is None else prefix)

    def walk(command, path: str) -> None:
        class Context(command.context_class):
            formatter_class = Formatter

            def get_help(self) -> str:
                from ..output.wrap import line_breaks

                with line_breaks(lang):  # Rich breaks lines only at spaces, and Chinese has none
                    return super().get_help()

        command.context_class = Context
        command.help, command.short_help = help_text(path).get(lang), None
        command.options_metavar = FRAME["options metavar"].get(lang)
        if hasattr(command, "commands"):
            command.subcommand_metavar = FRAME["command metavar"].get(lang)
        for param in [*command.params, command.get_help_option(command.context_class(command))]:
            if param is not None:
                param.help = help_text(path, param.name).get(lang)
        if lang != "en":  # Click's own errors, in `lang` (its English is left as it is)
            command.parse_args = _translating(command.parse_args, lang)
            if hasattr(command, "commands"):
                command.resolve_command = _translating(command.resolve_command, lang, command)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(command, "")


def _translating(method, lang: str, group=None):
    """`method` (a command's parse_args, a group's resolve_command), its usage errors said in
    `lang`: each rebuilt from what the error holds, never by translating Click's sentence."""
    from difflib import get_close_matches

    from typer._click import exceptions as click

    def said(exc, args) -> str | None:
        hint = exc.param.get_error_hint(exc.ctx) if getattr(exc, "param", None) is not None else None
        if isinstance(exc, click.MissingParameter) and hint:
            kind = exc.param_type or exc.param.param_type_name
            return FRAME["missing option" if kind == "option" else "missing argument"].format(name=hint).get(lang)
        if isinstance(exc, click.BadParameter) and hint:
            return FRAME["bad value"].format(name=hint, message=exc.message).get(lang)
        if isinstance(exc, click.NoSuchOption):
            found = FRAME["no such option"].format(name=exc.option_name).get(lang)
            if exc.possibilities:
                found += FRAME["possible options"].format(options=", ".join(sorted(exc.possibilities))).get(lang)
            return found
        if group is not None and args and exc.message.startswith("No such command"):
            found = FRAME["no such command"].format(name=args[0]).get(lang)
            matches = get_close_matches(args[0], list(group.commands))
            return found + (FRAME["did you mean command"].format(options=", ".join(matches)).get(lang) if matches else "")
        if exc.message.startswith("Got unexpected extra argument"):
            return FRAME["extra arguments"].format(args=exc.message.rsplit("(", 1)[-1].rstrip(")")).get(lang)
        return None

    def translated(ctx, args):
        try:
            return method(ctx, args)
        except click.UsageError as exc:
            message = said(exc, args)
            if message is None:
                raise
            raise click.UsageError(message, ctx=exc.ctx or ctx) from None

    return translated
