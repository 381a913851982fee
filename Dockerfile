# The Safer Partnership bot in a container (see README, "Deploy").
#   docker build -t safer-partnership-bot .
#   docker run -p 3978:3978 --env-file .env -v bot-data:/data safer-partnership-bot
# It listens on 0.0.0.0, which the bot allows only with MicrosoftAppId set (authenticated).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cards ./cards
COPY dialogs ./dialogs
COPY storage ./storage
COPY manifest ./manifest
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin bot \
    && mkdir /data && chown bot /data

# The SQLite database lives in /data unless DATABASE_URL points at PostgreSQL.
ENV HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3978
USER bot

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3978') + '/healthz', timeout=4)"]

CMD ["python", "-m", "bot", "serve"]
