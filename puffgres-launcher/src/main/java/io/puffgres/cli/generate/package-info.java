/**
 * {@code puffgres generate}: the wizard on a JLine terminal (or its flags under {@code --yes}), the questions checked
 * against the database's catalog, and the migration and transform stub it writes. Imports only {@code io.puffgres.cli}
 * of the command line.
 */
package io.puffgres.cli.generate;
