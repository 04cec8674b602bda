"""Courses (课程): an admin assembles readings, law articles, a training session's
materials and uploaded audio / video into a course with an optional closing quiz;
completing every part (and passing the quiz) earns the course's declared 学时."""

from flask import Flask


def register(app: Flask) -> None:
    from ..core.inputs import LARGE_BODIES
    from ..core.media import body_limit
    from .admin_views import bp as admin_bp
    from .services import media_max_bytes
    from .views import bp

    app.register_blueprint(bp, url_prefix="/courses")
    app.register_blueprint(admin_bp, url_prefix="/admin/courses")
    # An uploaded video is larger than any form: its own limit (COURSE_MEDIA_MAX_MB).
    LARGE_BODIES["course_admin.add_part"] = lambda config: body_limit(media_max_bytes(config))
