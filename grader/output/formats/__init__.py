"""Machine-readable renderings of grading results: Exercism JSON, Gradescope, JUnit, GitHub.

Every renderer takes the results of one run (one exercise, or all: `grading.results`) and
the language of its texts, and returns text; tests stay in exercise order, then file
order, and every format carries the total. Each is valid against its published specification (the schemas in tests/schemas/) whatever
the submission did: every string that came from the student's process goes through
`safe_text.clean`, capped, so a document's size is bounded by the course's number of
checks, not by what a submission prints, raises or returns.

One module a format; `common` holds the caps and the overall status they share.
"""
from .common import (ANNOTATION_CAP, ANNOTATIONS, CODE_CAP, EXERCISM_MESSAGE_CAP, FILE_CAP, FORMATS, MESSAGE_CAP,
                     OUTPUT_CAP, TRUNCATED)
from .exercism import exercism_json
from .github import github_annotations, github_summary
from .gradescope import gradescope
from .junit import junit



RENDERERS = {"json": exercism_json, "gradescope": gradescope, "junit": junit, "github": github_annotations}

__all__ = ["ANNOTATION_CAP", "ANNOTATIONS", "CODE_CAP", "EXERCISM_MESSAGE_CAP", "FILE_CAP", "FORMATS", "MESSAGE_CAP",
           "OUTPUT_CAP", "RENDERERS", "TRUNCATED", "exercism_json", "github_annotations", "github_summary", "gradescope",
           "junit"]
