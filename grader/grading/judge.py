"""Grade files for exercises: run them sandboxed, run the references here, judge each case.

Two phases: `run_student` (the sandbox's children run the file), then `judge`. No child is
ever a copy of this process: they come from a server exec'd apart from it (or are fresh
interpreters), so the references loaded here are never within their reach.
"""
from __future__ import annotations

import ast
import contextlib
import datetime
import types
from pathlib import Path
from typing import Iterator

import torch

from .cases import Case, describe, expand_all
from .compare import footprint, kind_of
from .checks import KINDS
from .checks.base import CaseContext, FunctionContext, Problem, describe_error
from .checks.untouched import untouched
from .locations import cell_line
from .recorded import SUFFIX, RecordedReference
from .results import CheckResult, ExerciseResult, Status, share_points
from ..messages.feedback import said
from ..course.model import CheckSpec, Exercise, Function
from ..sandbox.inside.observe import OUTPUT_LIMIT, Outcome, load_module, run_call
from ..sandbox.runner import GraderError, Job, RunReport
from ..messages.text import Text


# A result may hold at most this multiple of the reference's data, or this much whatever the
# reference returns (a small result's mismatch is said precisely by the checks themselves).
RESULT_MULTIPLE, RESULT_FLOOR = 16, 1 << 20


class Reference:
    """The reference solution, and known mistakes built on top of it, run in this process."""

    def __init__(self, exercise: Exercise, path: Path):
        if not path.is_file():
            raise GraderError(f"no reference solution for {exercise.id} at {path}")
        self.exercise, self.path = exercise, path
        self.source = path.read_text(encoding="utf-8")
        self.module = load_module(path, f"tutor_reference_{exercise.slug.replace('-', '_')}")
        self._mistakes: dict = {}
        self._mistake_modules: dict[int, types.ModuleType] = {}
        # (inputs described, outcome) by (function, case index, case seed), worked out once
        # (a class shares them): see `work_out`
        self.expected: dict = {}

    def outcome(self, fn: Function, case: Case, made: tuple[list, dict] | None = None) -> Outcome:
        out = run_call(self.module, case.call(), filename=str(self.path), made=made)
        if out.failure or (out.error and not _expects_error(fn)):
            raise GraderError(f"the reference solution for {self.exercise.id} fails on {fn.name} "
                              f"({case.label.en}): {out.failure or describe_error(out).en}")
        return out

    def mistake_outcome(self, index: int, fn: Function, case: Case) -> Outcome:
        key = (index, case.function, case.index, case.seed)
        if key not in self._mistakes:
            namespace = self._mistake_module(index)
            # Watched as the student is where a verdict needs it (and where a product must be stopped).
            out = run_call(namespace, case.call(probes_for(fn, by_verdict=True)))
            if out.error and out.error.type in ("NameError", "ImportError", "ModuleNotFoundError"):
                # The mistake's own code is broken (often a missing import): it would "match"
                # any student whose code breaks the same way.
                raise GraderError(f"known mistake {index + 1} of {self.exercise.id} is broken: "
                                  f"{out.error.type}: {out.error.message}")
            self._mistakes[key] = out
        return self._mistakes[key]


    def _mistake_module(self, index: int) -> types.ModuleType:
        """The reference with known mistake `index` written over it: built once, called on every case."""
        if index not in self._mistake_modules:
            namespace = types.ModuleType(f"tutor_mistake_{index}")
            exec(compile(self.source, str(self.path), "exec"), namespace.__dict__)
            exec(compile(self.exercise.mistakes[index].code, f"<mistake {index}>", "exec"), namespace.__dict__)
            self._mistake_modules[index] = namespace
        return self._mistake_modules[index]



def open_reference(exercise: Exercise, path: Path) -> Reference | RecordedReference:
    """The reference code, or, in a student copy (`recorded.reference_path`), its recorded outcomes."""
    return RecordedReference(exercise, path) if path.name.endswith(SUFFIX) else Reference(exercise, path)


def _expects_error(fn: Function) -> bool:
    return any(KINDS[c.kind].expects_error(c.options) for c in fn.all_checks())


def _describe_inputs(fn: Function, case: Case, args: list, kwargs: dict) -> Text:
    parts = []
    for i, value in enumerate(args):
        name = fn.params[i] if i < len(fn.params) else f"arg{i}"
        shown = Text.same(case.spec.args[i]) if callable(value) and not case.spec.random else describe(value)
        parts.append(Text.joined([f"{name}=", shown], ""))
    parts += [Text.joined([f"{k}=", describe(v)], "") for k, v in kwargs.items()]
    return Text.joined(parts)


def probes_for(fn: Function, by_verdict: bool = False) -> tuple[str, ...]:
    """What extra observations a function's checks need beyond the call itself (only those
    of checks judged by verdict: what a known mistake needs observed to be recognised)."""
    kinds = [(KINDS[c.kind], c) for c in fn.all_checks()]
    return tuple(dict.fromkeys(probe for kind, c in kinds if kind.by_verdict or not by_verdict
                               for probe in kind.probes(c.options)))


def monitor_spec(fn: Function) -> dict | None:
    """The calls a function's checks watch for (forbidden, allowed in backward, required),
    as the sandbox's monitor takes them."""
    spec = {"calls": [], "allow": [], "uses": []}
    for check in fn.all_checks():
        for key, names in KINDS[check.kind].monitor(check.options).items():
            spec[key] += names
    return spec if spec["calls"] or spec["uses"] else None


def run_student(exercise: Exercise, student: Path, seed: int, runner, hide=()) -> RunReport:
    """Phase 1: every call of the student's file, in the runner's children, which cannot see
    the folders in `hide` where the platform allows."""
    return runner.finish(start_student(exercise, student, seed, runner, hide))


def expected_cost(exercise: Exercise) -> int:
    """A rough rank of how long an exercise's child runs: probes (gradcheck, finite
    differences, tracing) cost most, then the number of calls."""
    calls = sum(spec.random or 1 for fn in exercise.functions for spec in fn.cases)
    return 1000 * sum(len(probes_for(fn)) for fn in exercise.functions) + calls


def grade_many(triples: list[tuple[Exercise, Path, Path]], seed: int, runner, hide=(), references=None,
               judging=contextlib.nullcontext()) -> Iterator[ExerciseResult]:
    """Both phases for many (exercise, file, reference) triples, yielding results in order.
    Every child is started first, the slowest first, so they run side by side, and each file
    is judged when its child is done, the cheapest first, while the costlier ones still run
    (where the runner runs one at a time, each runs while the one before is judged, in
    order). `references`:
    Reference objects to reuse (a class shares them); `judging`: held while judging (the
    references draw on torch's global generator, one judge at a time)."""
    order = sorted(range(len(triples)), key=lambda i: -expected_cost(triples[i][0])) if runner.parallel \
        else range(len(triples))  # one at a time: in the order they are judged
    started, references = {}, {} if references is None else references
    try:
        work_out_ahead([(exercise, reference) for exercise, _, reference in triples], seed, references,
                       runner.starting, judging)
        for i in order:
            started[i] = start_student(triples[i][0], triples[i][1], seed, runner, hide)
        judged, yielded = {}, 0
        for i in reversed(order) if runner.parallel else order:  # side by side, the cheapest end first
            exercise, student, reference = triples[i]
            run = runner.finish(started.pop(i))
            with judging:
                judged[i] = judge(exercise, student, reference, seed, run, references=references)
            while yielded in judged:  # given back in their own order
                yield judged.pop(yielded)
                yielded += 1
    finally:  # stopped early (an error, or the caller gave up): no child is left running
        for rest in started.values():
            runner.abandon(rest)


def start_student(exercise: Exercise, student: Path, seed: int, runner, hide=()):
    """Phase 1 begun: the first child is running; `runner.finish` collects it."""
    cases = expand_all(exercise, seed)
    calls = [(fn.name, c.index, c.call(probes_for(fn))) for fn in exercise.functions for c in cases[fn.name]]
    monitors = {fn.name: spec for fn in exercise.functions if (spec := monitor_spec(fn))}
    return runner.start(Job(calls, student, seed, {fn.name: fn.timeout for fn in exercise.functions}, monitors,
                            hide=tuple(hide)))


def grade(exercise: Exercise, student: Path, reference_path: Path, seed: int, runner, hide=()) -> ExerciseResult:
    """Both phases for one file."""
    run = run_student(exercise, student, seed, runner, hide)
    return judge(exercise, student, reference_path, seed, run)


def judge(exercise: Exercise, student: Path, reference_path: Path, seed: int, run: RunReport,
          today: datetime.date | None = None, references: dict | None = None) -> ExerciseResult:
    """Phase 2: the reference here, on equal inputs, and every check."""
    today = today or datetime.date.today()
    cases = expand_all(exercise, seed)
    result = ExerciseResult(exercise.id, exercise.slug, student, seed, run.isolation, exercise=exercise,
                            outcomes=run.outcomes, confined=run.complete)
    source = run.source.decode("utf-8", errors="replace")  # the bytes the sandbox ran, not the path again
    _in_cells(source, [run.import_error, *(o.error for o in run.outcomes.values())])
    if run.import_error or run.import_failure:
        if run.import_error:
            e = run.import_error
            at = said("import at cell", cell=e.cell, line=e.line) if e.cell else said("import at", line=e.line) if e.line else ""
            message = said("does not import", type=e.type, message=e.message, at=at)
        else:
            message = run.import_failure
        result.import_problem = Problem(message, [said("printed", output=run.import_output[:500])] if run.import_output else [],
                                        line=run.import_error.line if run.import_error else None)
        result.message = message
    reference = work_out(exercise, reference_path, seed, {} if references is None else references)
    # Known mistakes run below draw from torch's generator too: from the run's seed, however
    # much was worked out before (ahead of time, for other exercises), so a seed replays a run.
    torch.default_generator.manual_seed(seed)
    rows = _Rows(result, _def_lines(source))
    for task, fn in enumerate(exercise.functions, 1):
        outcomes = []
        unwritten = False  # raised NotImplementedError where the reference does not: earns nothing
        for case in cases[fn.name]:
            inputs, expected = reference.expected[(fn.name, case.index, case.seed)]
            got = run.outcomes.get((fn.name, case.index))
            if got is None:
                problems = [_not_run(result)]
            else:
                outcomes.append(got)
                unwritten |= _not_implemented(got) and not _not_implemented(expected)
                problems = judge_case(exercise, fn, case, got, expected, reference)
            rows.add(fn.name, task, case.label, inputs, problems, got,
                     hidden=case.spec.hidden if case.spec.hidden_on(today) else False, weight=case.spec.points)
        if any(c.scope == "function" for c in fn.checks):  # a row always, so scores keep their scale
            problems = ([_not_run(result)] if result.import_problem
                        else [Problem(said("unwritten", name=fn.name))] if unwritten
                        else judge_function(fn, source, outcomes))
            what = [KINDS[c.kind].covers for c in fn.checks if c.scope == "function"]
            rows.add(fn.name, task, said("whole function"), Text.joined(what, "; "), problems)
    result.status = Status.ERROR if result.import_problem else \
        Status.PASS if all(r.passed for r in result.results) else Status.FAIL
    share_points(result)
    return result


def work_out(exercise: Exercise, reference_path: Path, seed: int, references: dict) -> Reference | RecordedReference:
    """The exercise's reference (from `references`, or opened into it) with every case's
    inputs described and expected outcome worked out, in `reference.expected`: done once per
    seed, and ahead of judging where there is time (while the sandbox starts)."""
    key = (exercise.id, str(reference_path))
    if key not in references:
        references[key] = open_reference(exercise, reference_path)
    reference = references[key]
    cases = expand_all(exercise, seed)
    if all((fn.name, c.index, c.seed) in reference.expected for fn in exercise.functions for c in cases[fn.name]):
        return reference
    torch.default_generator.manual_seed(seed)  # as the child seeds it (see child.serve)
    for fn in exercise.functions:
        for case in cases[fn.name]:
            args, kwargs = case.make()
            inputs = _describe_inputs(fn, case, args, kwargs)  # described first: the call may change them
            reference.expected[(fn.name, case.index, case.seed)] = (inputs, reference.outcome(fn, case, (args, kwargs)))
    return reference


def work_out_ahead(pairs: list[tuple[Exercise, Path]], seed: int, references: dict, starting,
                   judging=contextlib.nullcontext()) -> None:
    """`work_out` for (exercise, reference) pairs for as long as `starting()` says the sandbox
    is still importing torch: time the grader would otherwise spend waiting."""
    for exercise, reference in pairs:
        if not starting():
            return
        with judging:
            work_out(exercise, reference, seed, references)


class _Rows:
    """An exercise's rows as the judge adds them: each named uniquely, its status and line found."""

    def __init__(self, result: ExerciseResult, defs: dict[str, int]):
        self.result, self.defs, self.names = result, defs, set()

    def add(self, function: str, task: int, label: Text, inputs: Text, problems: list[Problem],
            got: Outcome | None = None, hidden: bool | datetime.date = False, weight: float = 1.0) -> None:
        name, k = f"{self.result.id} {function} ({label.en})", 1
        while name in self.names:  # two cases with one label ("seed" twice): names must still differ
            k += 1
            name = f"{self.result.id} {function} ({label.en} #{k})"
        self.names.add(name)
        could_not_run = self.result.import_problem is not None or any(p.kind == "failure" for p in problems)
        status = Status.PASS if not problems else Status.ERROR if could_not_run else Status.FAIL
        failed_at = None if hidden else next((p.line for p in problems if p.line), None)
        self.result.results.append(CheckResult(
            name, function, label, inputs, status, problems, output=got.output if got else "", task_id=task,
            line=failed_at or self.defs.get(function), seconds=got.seconds if got else 0.0, hidden=hidden,
            weight=weight))


def _def_lines(source: str) -> dict[str, int]:
    """Where each top-level function of the student's file is defined (the last definition
    wins, as when Python runs the file); nothing when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    return {node.name: node.lineno for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _in_cells(source: str, errors: list) -> None:
    """Errors in a notebook's program located by the cell they are in (see grading.locations)."""
    for e in errors:
        if e is not None and e.line and e.cell is None:
            found = cell_line(source, e.line)
            if found:
                e.cell, e.line = found


def _not_implemented(out: Outcome) -> bool:
    return out.error is not None and "NotImplementedError" in out.error.bases  # itself or a subclass


def _not_run(result: ExerciseResult) -> Problem:
    """The problem of a check that never ran: the file's import problem, located."""
    if result.import_problem:
        return Problem(result.import_problem.text, line=result.import_problem.line)
    return Problem(said("not run"))


def judge_case(exercise: Exercise, fn: Function, case: Case, got: Outcome, expected: Outcome,
               reference: Reference | RecordedReference) -> list[Problem]:
    if got.failure:
        if got.missing:
            return [Problem(said("no function", name=fn.name), kind="missing")]
        return [Problem(got.failure_text or Text.same(got.failure), kind="failure")]
    problems = []
    if got.output_size > OUTPUT_LIMIT:
        problems.append(Problem(said("printed too much", size=got.output_size, limit=OUTPUT_LIMIT)))
    if got.error and not expected.error:
        # Nothing else can be judged about a call that raised; say so once, with any known cause
        # (a watch that stopped the call says why in its own words, in every language).
        stopped = [p for c in fn.case_checks(case.spec) if KINDS[c.kind].explains_errors
                   for p in [KINDS[c.kind].judge(c, CaseContext(fn, got, expected))] if p]
        problem = stopped[0] if stopped else Problem(said("your code", what=describe_error(got)), kind="value")
        problem.kind, problem.line = "value", got.error.line
        if not stopped and _called_wrongly(fn, got):
            problem.details.append(said("called as", signature=fn.signature.split("->")[0].strip()))
        problem.hints = _mistake_hints(exercise, fn, case, got, reference, [c for c in fn.case_checks(case.spec) if c.kind == "value"][:1] or [_VALUE])
        return problems + [problem]
    size, wanted = footprint(got.result), footprint(expected.result)
    if size > max(RESULT_FLOOR, RESULT_MULTIPLE * wanted):
        # Not compared: a comparison would cost the grader in proportion to what the child chose to send.
        return problems + [Problem(said("result oversized", got=kind_of(got.result), size=size, times=RESULT_MULTIPLE,
                                        wanted=wanted), kind="value")]
    checks = fn.case_checks(case.spec)
    for check in checks:
        kind = KINDS[check.kind]
        problem = kind.judge(check, CaseContext(fn, got, expected, case=case))
        if problem is None:
            continue
        problem.kind = check.kind
        if kind.comparative:
            problem.hints = _mistake_hints(exercise, fn, case, got, reference, [check])
        elif kind.by_verdict:
            problem.hints = _verdict_hints(exercise, fn, case, check, problem, expected, reference)
        if check.hint and check.hint not in problem.hints:
            problem.hints.append(check.hint)
        problems.append(problem)
    if not any(KINDS[c.kind].judges_writes for c in checks):  # else they judge in-place writes (2.1.5's add_into)
        problem = untouched(CaseContext(fn, got, expected))
        if problem:
            problem.kind = "untouched"
            problem.hints = _verdict_hints(exercise, fn, case, _UNTOUCHED, problem, expected, reference)
            problems.append(problem)
    return problems


def _called_wrongly(fn: Function, got: Outcome) -> bool:
    """The call itself failed: the student's def line takes other arguments than the exercise gives."""
    message = got.error.message
    return got.error.type == "TypeError" and message.startswith(f"{fn.name}()") and \
        any(words in message for words in ("positional argument", "keyword argument", "required"))


_VALUE = CheckSpec("value", {})  # judges a raised error when a function lists no value check
_UNTOUCHED = CheckSpec("untouched", {})  # stands for the default check of inputs left alone


def _mistake_hints(exercise, fn, case, got, reference, checks) -> list:
    if _not_implemented(got):  # a starter's NotImplementedError: nothing written, no mistake made yet
        return []
    hints = []
    for index, mistake in enumerate(exercise.mistakes):
        if mistake.function != fn.name:
            continue
        wrong = reference.mistake_outcome(index, fn, case)
        if wrong.failure or (wrong.error is not None) != (got.error is not None):
            continue  # a mistake that raised says nothing about code that returned, and vice versa
        if all(KINDS[c.kind].judge(c, CaseContext(fn, got, wrong, strict_errors=True)) is None for c in checks):
            hints.append(mistake.hint)
    return hints


def _verdict_hints(exercise, fn, case, check, problem, expected, reference) -> list:
    """The hints of the known mistakes that fail `check` the way the student's code does."""
    hints = []
    for index, mistake in enumerate(exercise.mistakes):
        if mistake.function != fn.name:
            continue
        wrong = reference.mistake_outcome(index, fn, case)
        if wrong.failure:
            continue
        context = CaseContext(fn, wrong, expected, case=case)
        found = untouched(context) if check is _UNTOUCHED else KINDS[check.kind].judge(check, context)
        if found is not None and found.signature == problem.signature:
            hints.append(mistake.hint)
    return hints


def judge_function(fn: Function, source: str, outcomes: list[Outcome]) -> list[Problem]:
    problems = []
    try:
        ast.parse(source)
    except SyntaxError:
        return problems  # reported as an import error
    for check in fn.checks:
        if check.scope == "function":
            problem = KINDS[check.kind].judge(check, FunctionContext(fn, source, outcomes))
            if problem:
                problem.kind = check.kind
                if check.hint:
                    problem.hints.append(check.hint)
                problems.append(problem)
    return problems
