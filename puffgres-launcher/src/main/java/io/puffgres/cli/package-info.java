/**
 * The command line's shared vocabulary: exit codes and the one-line error ({@link io.puffgres.cli.CliException}),
 * option values, the {@code --project} mixin, the one opener of the project's Postgres, the run file and REST API of
 * a running {@code puffgres run}, and what several commands print or record. The command packages
 * ({@code cli.generate}, {@code cli.status}, {@code cli.run}, {@code cli.dlq}) and {@code io.puffgres.launcher} build on
 * it; it imports none of them.
 */
package io.puffgres.cli;
