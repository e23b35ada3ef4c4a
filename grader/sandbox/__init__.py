"""The sandbox: where a student's code runs, and the boundary around it.

Two sides, one package each:
- `inside/` runs in the jail only: a fresh interpreter (`inside.server`) that imports torch
  and forks one child per job (in `tutor grade`, one `inside.zygote` for the class, forking
  each student such a server in namespaces of its own, `inside.apart`, whose one warm child
  runs that student's jobs one after another, `inside.worker`); the child confines
  itself further, imports the submission
  from bytes it was sent, makes the calls and sends back what it observed, as data. It
  imports nothing outside `inside/`, and is the only part of tutor the jail can see.
- `jail.py` (how the server is started: bubblewrap, or a weaker tier that says what it
  gives up), `runner.py` (deadlines, restarts, collecting outcomes) and `protocol.py`
  (validating and decoding what the child sends, all of it untrusted) run in the grader.
"""
