# Two images from one file:
# - `app` (the default): gunicorn for web, the same image for the Celery worker and beat;
# - `proxy` (`--target proxy`): the front door, nginx with docker/proxy/nginx.conf, serving the
#   collected static files from the image and media from the shared volume.
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=icmec.settings.production \
    PORT=8000

RUN apt-get update \
    && apt-get install -y --no-install-recommends libjpeg62-turbo libwebp7 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 icmec

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=icmec:icmec . .

# Static files are collected at build time and served by WhiteNoise. Production settings insist
# on their variables, so the build passes throwaway values that nothing connects to.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build/build ALLOWED_HOSTS=build \
    CELERY_BROKER_URL=redis://build:6379/0 python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/.data && chown -R icmec:icmec /app/media /app/.data

USER icmec
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["sh", "-c", "gunicorn icmec.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile - --forwarded-allow-ips='*'"]


FROM debian:bookworm-slim AS proxy
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx libnginx-mod-http-cache-purge gettext-base \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /srv/proxy/temp /srv/proxy/cache /srv/proxy/media
COPY docker/proxy/nginx.conf /etc/icmec/nginx.conf
COPY docker/proxy/entrypoint.sh /usr/local/bin/proxy-entrypoint
COPY --from=app /app/static_collected /srv/proxy/static
ENV PROXY_LISTEN=80 PURGE_LISTEN=8081 UPSTREAM=web:8000
EXPOSE 80 8081
ENTRYPOINT ["/usr/local/bin/proxy-entrypoint"]


# The default target: the application image.
FROM app
