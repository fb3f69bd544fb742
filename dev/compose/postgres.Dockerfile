# PostgreSQL 15 with the wal2json output plugin (`puffgres run --plugin wal2json`, the poll source); the official
# image has pgoutput only. Its apt sources include the PostgreSQL project's repository, which carries wal2json.
FROM postgres:15
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15-wal2json \
    && rm -rf /var/lib/apt/lists/*
