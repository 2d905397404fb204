# Offline stand-in for the official `postgres` image, from Debian's postgresql-15 package
# (built by .ci/bootstrap-base-images.sh only when the official image cannot be pulled).
# It keeps the parts of the official image's interface the production stack uses: the
# postgres user with uid/gid 999, PGDATA=/var/lib/postgresql/data, POSTGRES_USER, POSTGRES_DB,
# POSTGRES_PASSWORD(_FILE), first-start initialisation, pg_isready/psql/pg_dump on PATH.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}
RUN groupadd --system --gid 999 postgres \
    && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres \
    && mkdir -p /var/lib/postgresql /etc/postgresql-common/createcluster.d \
    # The package must not create its own cluster: the entrypoint initialises PGDATA.
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main.conf \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 0700 /var/lib/postgresql/data && chmod 2777 /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:${PATH} \
    PGDATA=/var/lib/postgresql/data \
    PG_MAJOR=15
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER postgres
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
