/**
 * {@code puffgres status}: a running job's figures from the Flink REST API, the slot and the DLQ from Postgres, as
 * text or JSON; and the one-line form of those figures that {@code puffgres run} prints while it runs ({@link
 * io.puffgres.cli.status.LiveStatus}). Imports only {@code io.puffgres.cli} of the command line.
 */
package io.puffgres.cli.status;
