/**
 * {@code puffgres run} and {@code puffgres stop}: the run's preflight, its lock, the job on an embedded Flink, the
 * background run of {@code --detach}, the stop with a savepoint. Imports {@code io.puffgres.cli} and, for the live
 * status line and the cause of a failure, {@code io.puffgres.cli.status}.
 */
package io.puffgres.cli.run;
