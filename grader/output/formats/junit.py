"""JUnit XML, as Jenkins' xUnit schema (junit-10.xsd) reads it."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from .common import Status, _failure, _file, _message, _printed, _total

if TYPE_CHECKING:
    from ...grading.results import ExerciseResult


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def junit(results: list[ExerciseResult], lang: str = "en") -> str:
    """JUnit XML, valid against the JUnit structure of Jenkins xUnit's junit-10 schema: a testsuite per exercise (with
    the student's file), a testcase per check; <error> for a check that could not run,
    <failure> for a wrong answer, the failing line in its text."""
    def count(tests, status):
        return str(sum(t.status == status for t in tests))

    everything = [t for r in results for t in r.results]
    score, max_score = _total(results)
    root = ET.Element("testsuites", name=f"tutor: {score:g}/{max_score:g} points", tests=str(len(everything)),
                      failures=count(everything, Status.FAIL), errors=count(everything, Status.ERROR),
                      time=_seconds(sum(t.seconds for t in everything)))
    for r in results:
        file = _file(r)
        suite = ET.SubElement(root, "testsuite", name=f"{r.id} {r.slug}", tests=str(len(r.results)),
                              failures=count(r.results, Status.FAIL), errors=count(r.results, Status.ERROR),
                              time=_seconds(sum(t.seconds for t in r.results)), file=file)
        properties = ET.SubElement(suite, "properties")
        for name, value in (("score", f"{r.score:g}/{r.max_score:g}"), ("seed", str(r.seed)),
                            ("sandbox", r.isolation.en)):
            ET.SubElement(properties, "property", name=name, value=value)
        for t in r.results:
            case = ET.SubElement(suite, "testcase", classname=f"{r.id}.{r.slug}", name=t.name.split(" ", 1)[1],
                                 time=_seconds(t.seconds))
            if t.status != Status.PASS:
                message = _message(_failure(t, lang)) or t.status
                where = f"{file}:{t.line}" if t.line else file
                ET.SubElement(case, "failure" if t.status == Status.FAIL else "error",
                              message=message.splitlines()[0], type=t.status).text = f"{message}\nat {where}"
            printed = _printed(t)
            if printed:
                ET.SubElement(case, "system-out").text = printed
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
