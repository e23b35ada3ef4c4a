"""Output: renderers of grading's one result model (`grading.results`): the terminal report,
the machine formats and the HTML pages, each in the language asked of it. Everything a
student's process sent is shown as data (`safe_text`), never as our own text."""
