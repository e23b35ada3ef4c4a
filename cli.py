"""`python cli.py ...` in a checkout: the same `tutor` command as the installed one.

The app lives in the package (`grader/cli.py`, installed as `d2l_tutor.cli`), so that an
install puts nothing named `cli` at the top of site-packages.
"""
from grader.cli import app, main  # noqa: F401  (tests and scripts import the app from here)

if __name__ == "__main__":
    main()
