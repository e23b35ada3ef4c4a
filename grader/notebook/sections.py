"""One notebook per section of the course (2.1, 2.5, ...): each exercise's prompt, its
starter cell and its check cell (no torch)."""
from __future__ import annotations

from pathlib import Path

from ..course.catalog import Course
from ..messages.ui import say
from . import EXTENSION

ROLE = "tutor"  # cell metadata: {"tutor": {"exercise": "2.5.3", "role": "starter" | "check"}}


def section_of(exercise_id: str) -> str:
    """The book's section an exercise belongs to: 2.5.6.3 is in 2.5."""
    return ".".join(exercise_id.split(".")[:2])


def checks(source: str, exercise) -> bool:
    """Whether a cell is `exercise`'s check cell (`%tutor check 2.5.4`, by id or slug)."""
    words = source.split()
    return words[:2] == ["%tutor", "check"] and len(words) > 2 and words[2] in (exercise.id, exercise.slug)


def notebook_name(section: str) -> str:
    """A section's notebook (`tutor grade` finds a section's answers there, as it finds
    an exercise's in its own file)."""
    return f"{section}.ipynb"


def section_notebooks(course: Course, lang: str) -> dict[str, "nbformat.NotebookNode"]:  # noqa: F821
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    sections: dict[str, list] = {}
    for ex in course.exercises:
        sections.setdefault(section_of(ex.id), []).append(ex)
    books = {}
    for section, exercises in sections.items():
        setup = f"%load_ext {EXTENSION}" + ("\n%env TUTOR_LANG=zh" if lang == "zh" else "")
        cells = [new_markdown_cell(f"# {say('nb title', lang, section=section)}\n\n{say('nb intro', lang)}"),
                 new_code_cell(setup)]
        for ex in exercises:
            signatures = "\n".join(f"def {fn.signature}" for fn in ex.functions)
            cells += [
                new_markdown_cell(f"## {ex.id} {ex.title.get(lang)}\n\n{ex.prompt.get(lang).strip()}\n\n"
                                  f"**{say('write', lang)}**\n\n```python\n{signatures}\n```"),
                new_code_cell(ex.starter.rstrip(), metadata={ROLE: {"exercise": ex.id, "role": "starter"}}),
                new_code_cell(f"%tutor check {ex.id}", metadata={ROLE: {"exercise": ex.id, "role": "check"}}),
            ]
        book = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        nbformat.validate(book)
        books[section] = book
    return books


def write_notebooks(course: Course, folder: Path, lang: str) -> list[Path]:
    """The notebooks, written to `folder`; FileExistsError, before anything is written,
    when one is there already (it may hold a student's answers)."""
    import nbformat

    books = {folder / notebook_name(section): book for section, book in section_notebooks(course, lang).items()}
    for path in books:
        if path.exists() or path.is_symlink():
            raise FileExistsError(path)
    folder.mkdir(parents=True, exist_ok=True)
    for path, book in books.items():
        nbformat.write(book, str(path))
    return list(books)
