#!/usr/bin/env bash
# Entry point of the compose stack's Flink services: the official image's docker-entrypoint.sh writes its settings
# (JOB_MANAGER_RPC_ADDRESS, FLINK_PROPERTIES) into $FLINK_HOME/conf/config.yaml, so the repository's flink-conf,
# mounted read-only at /puffgres/flink-conf, is copied there first rather than mounted over conf/ (which also holds
# the image's log4j files). The state volume is created by Docker as root; Flink runs as the image's flink user.
set -euo pipefail
cp /puffgres/flink-conf/config.yaml "$FLINK_HOME/conf/config.yaml"
mkdir -p /tmp/puffgres-cluster
chown flink:flink /tmp/puffgres-cluster
exec /docker-entrypoint.sh "$@"
