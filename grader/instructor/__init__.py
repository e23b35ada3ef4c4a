"""The instructor's tools: grading a class (`bulk`, `class_report`), checking a course
(`validate`), and publishing it (`export`, `gradescope`, `exercism`)."""
