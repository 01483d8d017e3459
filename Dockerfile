# Orderly's production image: the app served by gunicorn as an unprivileged user.
# Every dependency is a prebuilt wheel (psycopg ships its own libpq), so the image
# needs no compiler, and none is left in it.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 orderly
WORKDIR /app
# Without DATABASE_URL (compose sets one) the service keeps SQLite in a directory its
# unprivileged user can write, on a volume so it outlives the container.
RUN mkdir /app/data && chown orderly:orderly /app/data
ENV DATABASE_URL=sqlite:////app/data/db.sqlite3
VOLUME /app/data

COPY pyproject.toml README.md ./
COPY config ./config
COPY kernel ./kernel
COPY shop ./shop
COPY orders ./orders
COPY payments ./payments
COPY integration ./integration
COPY events ./events
COPY webhooks ./webhooks
RUN pip install . && rm -rf build *.egg-info

COPY manage.py gunicorn.conf.py ./
# Static files are collected at build time; whitenoise serves them with far-future caching.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input --verbosity 0

USER orderly
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live/', timeout=2)"
# Migrations first (one replica at a time, under a lock), then the server.
CMD ["sh", "-c", "python manage.py migrate_locked && exec gunicorn config.wsgi"]
