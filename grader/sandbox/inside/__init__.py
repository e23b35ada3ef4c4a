"""Code that runs inside the jail (and, for the references, in the grader).

Nothing here may import from outside this package: the jail holds this folder alone of
tutor's files, under another package name.
"""
