/**
 * {@code puffgres dlq} and its subcommands {@code list}, {@code show}, {@code retry} and {@code discard}, over the
 * project's DLQ table. Imports only {@code io.puffgres.cli} of the command line.
 */
package io.puffgres.cli.dlq;
