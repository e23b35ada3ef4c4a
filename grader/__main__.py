"""`python -m d2l_tutor` (or `python -m grader` in a checkout): for machines where another
program answers to `tutor` (Open edX ships one)."""
from .cli import main

main()
