"""Words in every language the course is taught in: tutor's own labels (`ui`), what the grader
says about a student's code (`feedback`), and the bilingual `Text` they are made of."""
