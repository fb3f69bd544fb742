/**
 * The top of the command line: the entry point ({@link io.puffgres.launcher.Main}), the command tree ({@link
 * io.puffgres.launcher.PuffgresCommand}, which registers every command) and the commands that are one class each
 * ({@code init}, {@code validate}, {@code apply}, {@code doctor}, {@code verify}, {@code emulator}). It imports the
 * command packages; none of them imports it. A command with helpers of its own gets a package {@code io.puffgres.cli.<name>}.
 */
package io.puffgres.launcher;
