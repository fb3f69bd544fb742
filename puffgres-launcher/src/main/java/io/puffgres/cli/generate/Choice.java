package io.puffgres.cli.generate;

/**
 * One answer a wizard question offers.
 *
 * @param value what picking it means
 * @param label how it is shown and matched by typed filters
 * @param detail a dim note after the label (a column's type, "primary key"), or empty
 */
record Choice<T>(T value, String label, String detail) {}
