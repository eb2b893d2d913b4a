# gunicorn's settings for the image (Dockerfile): its access log without the codes in paths.
logger_class = "jiufeng.log_redaction.GunicornLogger"
