FROM python:3.11-slim

ENV DEBUG=false \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install -r requirements/base.lock

COPY . .
# Static files are collected (hashed, compressed) at build time; WhiteNoise serves them.
# A throwaway key: production refuses to start without one, and collectstatic reads no data.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DEBUG=false ALLOWED_HOSTS=build JIUFENG_VAR_DIR=/app/var \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /app jiufeng \
 && mkdir -p /data/media && chown -R jiufeng /data /app/var

USER jiufeng
ENV JIUFENG_VAR_DIR=/app/var
EXPOSE 8000
CMD ["gunicorn", "jiufeng.wsgi", "--config", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
