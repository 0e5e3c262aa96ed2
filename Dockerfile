# Chorus images, two targets from one file (see README "Running in production"):
#   docker build --target web    -t chorus-web .     # the web app: no machine-learning stack
#   docker build --target worker -t chorus-worker .  # background jobs: embedding, clustering, draws
# Migrations are their own step, once per release:  docker run --rm chorus-web python -m app migrate
# (compose.yaml runs that step before web and worker start).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 CHORUS_ENV=production CHORUS_HOME=/srv/chorus PORT=8000 \
    FORWARDED_ALLOW_IPS=""
# FORWARDED_ALLOW_IPS: the load balancer's address(es) or network (e.g. 10.0.0.0/8), the only
# peers whose X-Forwarded-For is believed. Empty: none is (each client is its own connection).
WORKDIR /srv/chorus
RUN useradd --create-home --uid 10001 chorus && mkdir -p var && chown chorus:chorus var
COPY requirements ./requirements

# The project as a wheel (a normal, non-editable install; bench/ and tests/ are not shipped).
FROM base AS build
COPY pyproject.toml README.md ./
COPY app ./app
COPY analysis ./analysis
COPY panel_draw ./panel_draw
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM base AS web
RUN pip install --require-hashes --no-deps -r requirements/web.txt
COPY --from=build /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels
COPY alembic.ini ./
COPY migrations ./migrations
USER chorus
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["sh", "-c", "exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY:-2} --proxy-headers --forwarded-allow-ips \"${FORWARDED_ALLOW_IPS}\""]

FROM base AS worker
# CPU-only torch first, from PyTorch's CPU index: an unpinned torch pulls several GB of CUDA.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
RUN pip install --require-hashes --no-deps -r requirements/worker.txt
COPY --from=build /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels
COPY alembic.ini ./
COPY migrations ./migrations
USER chorus
CMD ["python", "-m", "app", "worker"]
