# Backprop Lab: one container runs `python -m app` (uvicorn with BACKPROP_WORKERS processes) on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/backprop-lab

# The app runs from this folder (templates/ and static/ sit beside app/); `pip install .` brings its dependencies.
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin backprop

ENV PYTHONPATH=/srv/backprop-lab \
    BACKPROP_HOST=0.0.0.0 \
    BACKPROP_PORT=8000 \
    BACKPROP_WORKERS=1

USER backprop
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

CMD ["python", "-m", "app"]
