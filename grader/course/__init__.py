"""The course: exercise files read into a validated model, found on disk, and the student's
workspace. Runs in the grader; never imports torch."""
