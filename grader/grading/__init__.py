"""Grading, in the grader: concrete cases from their specs, the references run here, and each
case judged against what the sandbox observed. Never executes a student's code."""
