"""Output: one result model, the terminal report, the machine formats and the HTML pages.
Everything a student's process sent is shown as data (`safe_text`), never as our own text."""
