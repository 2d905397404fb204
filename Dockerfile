# One image for every role of nba-cluster; the command picks the role (docs/docker.md):
#   kedro run [--pipeline X]                                  the pipelines (default command)
#   kedro viz run --host 0.0.0.0 --port 4141 --no-browser     the pipeline graph
#   mlflow server ...                                         tracking server and model registry
#   gunicorn --bind 0.0.0.0:8050 nba_cluster.dashboard.app:server
#   python -m nba_cluster.nba_stats.replay ...                stats.nba.com replay for tests
# Builds with BuildKit and the classic builder alike: no `# syntax=` line, RUN --mount,
# COPY --link/--chmod/--exclude, heredocs or HEALTHCHECK --start-interval.

# Official image by default; an ARG so a mirror or the offline stand-in can replace it.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# deps: the base plus one layer, the third-party venv, which never sees src/.
FROM ${PYTHON_IMAGE} AS deps

# uv pinned to an exact release, so builds repeat what wrote uv.lock.
ARG UV_VERSION=0.13.8

WORKDIR /app

# Only the dependency spec, so this layer changes with the lock, not the code; Kedro reads it here.
COPY pyproject.toml uv.lock ./

# One RUN, so uv lands in no layer; its settings are exported, as the final image has no uv.
RUN export UV_NO_CACHE=1 \
        UV_PYTHON_DOWNLOADS=never \
        UV_PYTHON=/usr/local/bin/python3 \
        UV_SYSTEM_CERTS=1 \
        UV_PROJECT_ENVIRONMENT=/app/.venv \
    # pip's wheel is in ensurepip/_bundled (python.org builds) or WHEEL_PKG_DIR (Debian).
    && pip_wheel=$(python3 -c "import ensurepip, glob, os, sysconfig; \
        print(glob.glob(os.path.join(sysconfig.get_config_var('WHEEL_PKG_DIR') \
        or os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'), 'pip-*.whl'))[0])") \
    && PIP_CERT=/etc/ssl/certs/ca-certificates.crt python3 "${pip_wheel}/pip" install --quiet \
        --no-cache-dir --disable-pip-version-check --root-user-action=ignore --only-binary=:all: \
        --target /tmp/uv "uv==${UV_VERSION}" \
    # Locked third-party packages only; the project reaches sys.path through the .pth below.
    && /tmp/uv/bin/uv sync --locked --no-install-project --no-dev \
    # Delete what no role of the image runs (each kind and why: docs/docker.md).
    && find /app/.venv -path '*/kedro/templates' -prune -o \
        \( -type d \( -name tests -o -path '*/site-packages/jedi/third_party' \
        -o -path '*/site-packages/plotly/labextension' -o -path /app/.venv/share/jupyter \) \
        -prune \
        -o -type f \( -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' -o -name '*.h' \
        -o -name '*.hpp' -o -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.js.map' \
        -o -path '*/site-packages/plotly/package_data/widgetbundle.js' \
        -o -path '*/site-packages/pyarrow/*flight*' \) \) -exec rm -rf {} + \
    # Identical files become hard links, stored once in the layer; content is unchanged.
    && find /app/.venv -type f -size +64k -printf '%12s %p\n' | sort | uniq -D -w 12 \
        | while read -r size file; do \
            if [ "$size" = "$last" ] && cmp -s "$first" "$file"; then \
                ln -f "$first" "$file" || exit 1; \
            else first=$file last=$size; fi; \
        done \
    # Bytecode once, after the deletions: containers start faster and cannot write .pyc.
    && UV_COMPILE_BYTECODE=1 /tmp/uv/bin/uv sync --locked --no-install-project --no-dev \
    && rm -rf /tmp/uv /tmp/uv-*.lock \
    # Every interpreter of the venv imports nba_cluster from /app/src, so code is one small COPY.
    && echo /app/src > "$(/app/.venv/bin/python -c \
        'import sysconfig; print(sysconfig.get_path("purelib"))')/nba_cluster_src.pth"

# runtime: FROM deps, so the venv is a lower layer, never copied, root-owned and read-only.
FROM deps AS runtime

# User uid 1000 in group 0 (OpenShift's arbitrary uids), owning only the empty writable dirs.
ARG APP_UID=1000
RUN useradd --uid "${APP_UID}" --gid 0 --home-dir /home/app --create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /app/data /app/.viz /app/conf/local /mlflow/db /mlflow/artifacts \
    && chown "${APP_UID}:0" /app/data /app/.viz /mlflow/db /mlflow/artifacts \
    && chmod g=u /app/data /app/.viz /mlflow/db /mlflow/artifacts /home/app

# Venv tools on PATH, prompt logs, a writable HOME, quiet tools (each variable: docs/docker.md).
ENV PATH=/app/.venv/bin:${PATH} \
    VIRTUAL_ENV=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/app \
    KEDRO_DISABLE_TELEMETRY=true \
    MLFLOW_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=true \
    GIT_PYTHON_REFRESH=quiet \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
    COLUMNS=160

WORKDIR /app

# Non-root, numeric for Kubernetes' runAsNonRoot; the files COPYed below stay root-owned.
USER ${APP_UID}:0

# No entrypoint script: the command is the role.
CMD ["kedro", "run"]

# OCI labels before the COPYs, so a code change redoes only the COPY of src/; CI passes them.
ARG VERSION=""
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="nba-cluster" \
      org.opencontainers.image.description="NBA player-archetype discovery: Kedro pipelines, MLflow, Kedro-Viz and a Dash dashboard" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}"

# Kedro reads conf/ from the working directory; it changes less often than code.
COPY conf/ ./conf/

# The code, last and not precompiled: a change redoes only this layer.
COPY src/ ./src/
