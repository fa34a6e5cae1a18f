# SoMe-coach: the Discord bot (or, without DISCORD_TOKEN, the console: docker run -it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COACH_DB_PATH=/data/coach.db \
    COACH_KNOWLEDGE_DIR=/app/knowledge

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY prompts ./prompts
RUN pip install . \
    && useradd --create-home --uid 10001 coach \
    && mkdir -p /data \
    && chown coach:coach /data

USER coach
VOLUME ["/data"]
# SIGTERM (docker stop) ends the process; the coach closes its connections on the way out.
CMD ["python", "-m", "bot"]
