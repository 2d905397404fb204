# The naive baseline for benchmarks/docker_image.py: the textbook single-stage pip image.
# Same base image and the same top-level packages as pyproject.toml (passed in as PACKAGES by the
# benchmark, read from [project].dependencies), unlocked, one layer; the source copied last.
# Not used to ship anything.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

# Same CA trust as the real image (a TLS-intercepting proxy must not make the comparison fail).
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:${PATH}

# A venv because the air-gapped stand-in base has Debian's python3 without pip (ensurepip works
# in both). A plain `pip install`, as a naive Dockerfile has it: pip keeps its download cache in
# the layer. The benchmark also reports the size without that cache (what --no-cache-dir gives).
ARG PACKAGES
RUN test -n "${PACKAGES}" \
    && python -m venv /opt/venv \
    && pip install ${PACKAGES}

# The project on sys.path the simplest way; nothing runs after the COPY, so a code change only
# redoes that layer.
ENV PYTHONPATH=/app/src
WORKDIR /app
COPY . .
CMD ["kedro", "run"]
