"""Exams: the question bank, papers and their enrolment, attempts, grading."""
