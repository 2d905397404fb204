# One image for every role of nba-cluster, chosen by the command it runs:
#   kedro run [--pipeline X]                          the pipelines (default command)
#   kedro viz run --host 0.0.0.0 --port 4141 --no-browser
#   mlflow server ...                                 tracking server and model registry
#   gunicorn --bind 0.0.0.0:8050 nba_cluster.dashboard.app:server
#   python -m nba_cluster.stats_replay ...            stats.nba.com replay for tests
# See docs/docker.md. Follows uv's Docker guide (multi-stage, locked deps synced before the source).
#
# Portable on purpose: it builds with BuildKit and with the classic builder (Docker 20.10,
# `docker compose build` without buildx, podman, kaniko). Hence no `# syntax=` line (it pulls a
# frontend image), no RUN --mount, COPY --link/--chmod/--exclude, heredocs or
# HEALTHCHECK --start-interval.

# Official images by default; ARGs so a mirror or the air-gapped stand-ins
# (docker/bootstrap-base-images.sh) can replace them.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# uv pinned to an exact release: the lock file was written by it and builds must repeat.
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.8

# A named stage, because COPY --from cannot expand an ARG on the classic builder.
FROM ${UV_IMAGE} AS uv

# ---------------------------------------------------------------------------------------------
# deps: the third-party venv only. It never sees src/, so a code change cannot invalidate it.
# ---------------------------------------------------------------------------------------------
# Same base as the runtime: the venv's interpreter path (/usr/local/bin/python3) must exist there.
FROM ${PYTHON_IMAGE} AS deps

# uv lives only in this stage: the runtime image carries no installer or build tool.
COPY --from=uv /uv /usr/local/bin/uv

# UV_COMPILE_BYTECODE: compile .pyc once here; containers start faster and cannot write them anyway.
# UV_NO_CACHE: a throwaway cache; without RUN --mount it could not be reused by the next build.
#   uv still hardlinks from it (its default link mode, same filesystem), the fastest install.
# UV_PYTHON_DOWNLOADS=never + UV_PYTHON: the base image's interpreter, never a downloaded one.
# UV_SYSTEM_CERTS: trust the system CA store, so TLS-intercepting proxies work (uv uses its own
#   roots otherwise: "invalid peer certificate: UnknownIssuer").
# UV_PROJECT_ENVIRONMENT: the venv path the runtime puts on PATH.
ENV UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_SYSTEM_CERTS=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# Only the dependency spec: this layer is rebuilt when pyproject.toml or uv.lock change, never
# for code. --locked fails if uv.lock is stale; --no-dev leaves pytest/ruff out;
# --no-install-project because the project is added in the runtime stage (see below).
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-install-project --no-dev \
    # Take only what runs: packages' own test suites (60+ MB with their .pyc: pyarrow, pandas,
    # scipy, sklearn, ...) and C/Cython sources and headers (17 MB, read only when compiling
    # against a package; the image compiles nothing). kedro/templates is kept whole: it is the
    # input of `kedro new` / `kedro pipeline create`. The e2e test (tests/e2e) runs every role
    # of the image, so a wrong deletion shows there.
    && find /app/.venv -path '*/kedro/templates' -prune -o \
        \( -type d -name tests -prune -o -type f \( -name '*.pyx' -o -name '*.pxd' \
        -o -name '*.pxi' -o -name '*.h' -o -name '*.hpp' -o -name '*.c' -o -name '*.cc' \
        -o -name '*.cpp' \) \) -exec rm -rf {} + \
    # The project is not installed, it is put on sys.path: this .pth file makes every interpreter
    # of the venv (gunicorn, python -m, MLflow model loading) import nba_cluster from /app/src,
    # which the runtime stage fills. `kedro run` itself does the same (it adds source_dir to
    # sys.path). Installing it with `uv sync` would rewrite files inside the venv and drag its
    # 1 GB layer into every code change; this way a code change is one small COPY.
    && echo /app/src > /app/.venv/lib/python3.11/site-packages/nba_cluster_src.pth

# ---------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# The runtime user: fixed uid 1000 for predictable volume ownership, primary group 0 so that
# OpenShift's arbitrary uids (always in group 0) can write the same directories; g=u gives
# group 0 the owner's rights. The writable dirs exist in the image and belong to that user: a
# named volume mounted there starts with this owner (SQLite must create its file in /mlflow/db).
# They are left empty on purpose: Docker copies image content into a new volume, and two
# containers created at once with the same new volume race on that copy ("mkdir ...: file
# exists"); Kedro's datasets create their folders under data/ themselves. conf/local is Kedro's
# default run env and must exist; it stays empty (secrets are mounted there, never baked in).
ARG APP_UID=1000
RUN useradd --uid "${APP_UID}" --gid 0 --home-dir /home/app --create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /app/data /app/.viz /app/conf/local /mlflow/db /mlflow/artifacts \
    && chown "${APP_UID}:0" /app/data /app/.viz /mlflow/db /mlflow/artifacts \
    && chmod g=u /app/data /app/.viz /mlflow/db /mlflow/artifacts /home/app

# The dependency venv as its own layer (~0.9 GB), reused until uv.lock changes. Root-owned,
# hence read-only for the runtime user.
COPY --from=deps /app/.venv /app/.venv

# PATH: kedro, mlflow and gunicorn are called directly (`uv run` would try to re-sync as non-root).
# PYTHONUNBUFFERED: logs reach `docker logs` at once.
# PYTHONDONTWRITEBYTECODE: the venv is precompiled and code is read-only: no futile .pyc writes.
# HOME: a writable home for tools' caches and config (matplotlib, MLflow's temp files).
# KEDRO_DISABLE_TELEMETRY: no prompt or upload from kedro-telemetry, which kedro-viz pulls in.
# GIT_PYTHON_REFRESH=quiet: the image has no git; MLflow's GitPython import would warn.
# MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: read only by `mlflow server`; no job runner and huey
#   consumers (only tracking and the registry are used), so a faster start and less memory.
# COLUMNS: Kedro's rich log handler wraps at 80 columns when there is no terminal (docker logs).
ENV PATH=/app/.venv/bin:${PATH} \
    VIRTUAL_ENV=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/app \
    KEDRO_DISABLE_TELEMETRY=true \
    GIT_PYTHON_REFRESH=quiet \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
    COLUMNS=160

WORKDIR /app

# Non-root from here on; numeric so Kubernetes' runAsNonRoot can verify it. Files COPYed below
# stay root-owned: code and config are read-only for the running user.
USER ${APP_UID}:0

# Plain commands, no entrypoint script: compose (or `docker run IMAGE <command>`) picks the role.
CMD ["kedro", "run"]

# OCI labels, before the COPYs so that nothing after the source is left to run: a code change
# redoes only the COPY of src/ (no RUN, no further step), on BuildKit and the classic builder.
# A new revision redoes the small layers below, never the venv.
ARG VERSION=0.1.0
ARG REVISION=unknown
# Set by CI, e.g. --build-arg SOURCE=https://github.com/<owner>/nba-cluster REVISION=$(git rev-parse HEAD)
ARG SOURCE=""
LABEL org.opencontainers.image.title="nba-cluster" \
      org.opencontainers.image.description="NBA player-archetype discovery: Kedro pipelines, MLflow, Kedro-Viz and a Dash dashboard" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}"

# Kedro reads pyproject.toml ([tool.kedro]) and conf/ from the working directory at run time.
# Config changes less often than code: its own layer, before src/.
COPY pyproject.toml ./
COPY conf/ ./conf/

# The project's code, last. Its .pyc are not precompiled: that would need a RUN after this COPY
# (a container per rebuild), for ~20 small modules that compile in milliseconds at import.
COPY src/ ./src/
