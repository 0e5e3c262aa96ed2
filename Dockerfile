# Chorus web app (and, with a different command, its worker). Configure with environment variables.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 CHORUS_ENV=production PORT=8000 \
    FORWARDED_ALLOW_IPS=""
# FORWARDED_ALLOW_IPS: the load balancer's address(es) or network (e.g. 10.0.0.0/8), the only
# peers whose X-Forwarded-For is believed. Empty: none is (each client is its own connection).
WORKDIR /srv/chorus
RUN useradd --create-home --uid 10001 chorus
# CPU-only torch first, from PyTorch's CPU index: an unpinned torch pulls several GB of CUDA.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY app ./app
COPY analysis ./analysis
COPY panel_draw ./panel_draw
COPY bench ./bench
COPY migrations ./migrations
COPY alembic.ini ./
RUN pip install -e . && mkdir -p var && chown chorus:chorus var
USER chorus
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
# Migrations, then the app. Worker containers run: python -m app worker
CMD ["sh", "-c", "python -m app migrate && exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY:-2} --proxy-headers --forwarded-allow-ips \"${FORWARDED_ALLOW_IPS}\""]
