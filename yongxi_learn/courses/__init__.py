"""Courses (课程): an admin assembles readings, law articles, a training session's
materials and uploaded audio / video into a course with an optional closing quiz;
completing every part (and passing the quiz) earns the course's declared 学时."""

from flask import Flask


def register(app: Flask) -> None:
    pass
