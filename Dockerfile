# One image for every role of nba-cluster, chosen by the command it runs:
#   kedro run [--pipeline X]                          the pipelines (default command)
#   kedro viz run --host 0.0.0.0 --port 4141 --no-browser
#   mlflow server ...                                 tracking server and model registry
#   gunicorn --bind 0.0.0.0:8050 nba_cluster.dashboard.app:server
#   python -m nba_cluster.nba_stats.replay ...            stats.nba.com replay for tests
# See docs/docker.md. Follows uv's Docker guide (multi-stage, locked deps synced before the source).
#
# Portable on purpose: it builds with BuildKit and with the classic builder (Docker 20.10,
# `docker compose build` without buildx, podman, kaniko). Hence no `# syntax=` line (it pulls a
# frontend image), no RUN --mount, COPY --link/--chmod/--exclude, heredocs or
# HEALTHCHECK --start-interval.

# Official image by default; an ARG so a mirror or the air-gapped stand-in
# (docker/bootstrap-base-images.sh) can replace it.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------
# deps: the base image plus one layer, the third-party venv. It never sees src/, so a code
# change cannot invalidate it. The runtime stage is built FROM it: no cross-stage COPY of the
# ~0.8 GB venv. That copy cost 5 s with BuildKit and 27 s with the classic builder (which tars
# and untars the whole venv for the COPY, then again to commit the layer), more than the
# dependency sync itself.
# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS deps

# uv pinned to an exact release: the lock file was written by it and builds must repeat.
ARG UV_VERSION=0.13.8

WORKDIR /app

# Only the dependency spec: this layer is rebuilt when pyproject.toml or uv.lock change, never
# for code. Both stay in /app: Kedro reads pyproject.toml there at run time.
COPY pyproject.toml uv.lock ./

# One RUN, so that uv never lands in a layer of the final image. uv comes from PyPI (the same
# binary as the official ghcr.io/astral-sh/uv image) into /tmp/uv, which the same RUN deletes.
# Not from that image: layers only add, so a COPY of its binary would stay in the image's history
# (44 MB: 0.83x the naive image, over the 0.80x budget), and copying a builder stage's venv
# instead is the cross-stage copy above (docs/docker.md has both measured).
# pip runs straight from the wheel that ensurepip installs pip from (python.org builds keep it in
# ensurepip/_bundled, Debian's python3 in WHEEL_PKG_DIR): the base needs no pip of its own and no
# venv is made for it (-2 s). pip trusts the system CA store (PIP_CERT), like uv (UV_SYSTEM_CERTS).
# UV_NO_CACHE: a throwaway cache; without RUN --mount it could not be reused by the next build.
#   uv still hardlinks from it (its default link mode, same filesystem), the fastest install.
# UV_PYTHON_DOWNLOADS=never + UV_PYTHON: the base image's interpreter, never a downloaded one.
# UV_SYSTEM_CERTS: trust the system CA store, so TLS-intercepting proxies work (uv uses its own
#   roots otherwise: "invalid peer certificate: UnknownIssuer").
# UV_PROJECT_ENVIRONMENT: the venv path the runtime puts on PATH.
# Set with `export`, not ENV: the final image (built FROM this stage) has no uv to configure.
RUN export UV_NO_CACHE=1 \
        UV_PYTHON_DOWNLOADS=never \
        UV_PYTHON=/usr/local/bin/python3 \
        UV_SYSTEM_CERTS=1 \
        UV_PROJECT_ENVIRONMENT=/app/.venv \
    && pip_wheel=$(python3 -c "import ensurepip, glob, os, sysconfig; \
        print(glob.glob(os.path.join(sysconfig.get_config_var('WHEEL_PKG_DIR') \
        or os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'), 'pip-*.whl'))[0])") \
    && PIP_CERT=/etc/ssl/certs/ca-certificates.crt python3 "${pip_wheel}/pip" install --quiet \
        --no-cache-dir --disable-pip-version-check --root-user-action=ignore --only-binary=:all: \
        --target /tmp/uv "uv==${UV_VERSION}" \
    # --locked fails if uv.lock is stale; --no-dev leaves pytest/ruff out; --no-install-project
    # because the project is not installed (see the .pth file below).
    && /tmp/uv/bin/uv sync --locked --no-install-project --no-dev \
    # Take only what runs (-160 MB; the e2e test, tests/e2e, runs every role of the image, so a
    # wrong deletion shows there):
    # - packages' own test suites (tests/: pyarrow, pandas, scipy, sklearn, ...);
    # - C/Cython sources and headers, read only when compiling against a package (the image
    #   compiles nothing). kedro/templates is kept whole (`kedro new`, `kedro pipeline create`);
    # - JavaScript source maps (*.js.map, 14 MB, all Dash's): fetched only by a browser's
    #   developer tools; Dash registers them as "dynamic" resources, never read to render a page
    #   (it already ships without dash_renderer.min.js.map);
    # - jedi's bundled typeshed and Django stubs (jedi/third_party, 13 MB): jedi (IPython's
    #   completer, which `import dash` loads) reads them only to complete code interactively;
    #   IPython's completer then falls back to its own matches;
    # - pyarrow's Arrow Flight RPC (libarrow_flight and its bindings, 32 MB): loaded only by
    #   `import pyarrow.flight`, which nothing here uses; pyarrow, Parquet and pandas never link
    #   it (libarrow_substrait, linked by pyarrow itself, stays);
    # - plotly's Jupyter front-end code (plotly/labextension and its copy under share/jupyter,
    #   and package_data/widgetbundle.js for FigureWidget, which needs anywidget, not installed:
    #   15 MB), read only by JupyterLab, which is not in the image. package_data/plotly.min.js
    #   stays: Dash serves it to the browser.
    && find /app/.venv -path '*/kedro/templates' -prune -o \
        \( -type d \( -name tests -o -path '*/site-packages/jedi/third_party' \
        -o -path '*/site-packages/plotly/labextension' -o -path /app/.venv/share/jupyter \) \
        -prune \
        -o -type f \( -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' -o -name '*.h' \
        -o -name '*.hpp' -o -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.js.map' \
        -o -path '*/site-packages/plotly/package_data/widgetbundle.js' \
        -o -path '*/site-packages/pyarrow/*flight*' \) \) -exec rm -rf {} + \
    # Identical files become hard links, stored once in the layer (8 MB): pyarrow ships
    # libarrow_python three times under its link names, numpy and scipy the same libgfortran.
    # Only files of equal size are compared; content is unchanged, so nothing can break.
    && find /app/.venv -type f -size +64k -printf '%12s %p\n' | sort | uniq -D -w 12 \
        | while read -r size file; do \
            if [ "$size" = "$last" ] && cmp -s "$first" "$file"; then \
                ln -f "$first" "$file" || exit 1; \
            else first=$file last=$size; fi; \
        done \
    # UV_COMPILE_BYTECODE: compile .pyc once here; containers start faster and cannot write them.
    # A second sync does it (it finds everything installed and compiles the whole venv), after
    # the deletions: nothing is compiled only to be deleted (2,800 files fewer, -2 s).
    && UV_COMPILE_BYTECODE=1 /tmp/uv/bin/uv sync --locked --no-install-project --no-dev \
    && rm -rf /tmp/uv /tmp/uv-*.lock \
    # The project is not installed, it is put on sys.path: this .pth file makes every interpreter
    # of the venv (gunicorn, python -m, MLflow model loading) import nba_cluster from /app/src,
    # which the runtime stage fills. `kedro run` itself does the same (it adds source_dir to
    # sys.path). Installing it with `uv sync` would rewrite files inside the venv and drag its
    # venv layer into every code change; this way a code change is one small COPY.
    && echo /app/src > /app/.venv/lib/python3.11/site-packages/nba_cluster_src.pth

# ---------------------------------------------------------------------------------------------
# runtime: built FROM deps, so the venv is a lower layer, reused until pyproject.toml or uv.lock
# change. Root-owned, hence read-only for the runtime user.
# ---------------------------------------------------------------------------------------------
FROM deps AS runtime

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

# Kedro reads pyproject.toml ([tool.kedro], already in /app from the deps stage) and conf/ from
# the working directory at run time. Config changes less often than code: its own layer.
COPY conf/ ./conf/

# The project's code, last. Its .pyc are not precompiled: that would need a RUN after this COPY
# (a container per rebuild), for ~20 small modules that compile in milliseconds at import.
COPY src/ ./src/
