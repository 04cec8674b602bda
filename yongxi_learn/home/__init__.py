"""The learner's home page (我的学习) and the health check."""
