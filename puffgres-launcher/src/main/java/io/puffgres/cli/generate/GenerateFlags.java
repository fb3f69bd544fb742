package io.puffgres.cli.generate;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The answers {@code puffgres generate} takes as flags, one per question (a picocli mixin). A flag given skips
 * its question; with {@code --yes} every question not given takes its default. Absent flags are null.
 */
final class GenerateFlags {

    @Option(names = "--table", paramLabel = "[SCHEMA.]NAME", description = "The table to map.")
    String table;

    @Option(names = "--view", paramLabel = "[SCHEMA.]NAME", description = "The view to map (instead of a table).")
    String view;

    @Option(
            names = "--base-table",
            paramLabel = "[SCHEMA.]NAME",
            description = "For a view: the table whose changes drive it (default: the one table the view reads).")
    String baseTable;

    @Option(
            names = "--mapping",
            paramLabel = "NAME",
            description = "Mapping name, [a-z][a-z0-9_]* (default: from the table name).")
    String mapping;

    @Option(
            names = "--namespace",
            paramLabel = "NS",
            description = "turbopuffer namespace (default: the mapping name; _vN added when taken).")
    String namespace;

    @Option(
            names = "--id",
            paramLabel = "COLUMN",
            description = "Id column (default: the primary key, else a unique NOT NULL column).")
    String id;

    @Option(
            names = "--id-type",
            paramLabel = "TYPE",
            description = "uint, int, uuid or string (default: from the column type).")
    String idType;

    @Option(
            names = "--membership",
            paramLabel = "MODE",
            description = "all, dsl, view or lookup (default: dsl with --predicate, lookup with --lookup-sql,"
                    + " view for a view, else all).")
    String membership;

    @Option(
            names = "--predicate",
            paramLabel = "DSL",
            description = "Membership predicate, e.g. \"status = 'published' AND deleted_at IS NULL\".")
    String predicate;

    @Option(
            names = "--lookup-sql",
            paramLabel = "SQL",
            description = "Membership query with $1 = the row's id; a row back means member.")
    String lookupSql;

    @Option(
            names = "--columns",
            split = ",",
            paramLabel = "COL",
            description = "Columns to read (default: all; the id and predicate columns are always added).")
    List<String> columns;

    @Option(
            names = "--full-text",
            split = ",",
            paramLabel = "COL",
            description = "Text columns to index for full-text search (tp_schema full_text_search).")
    List<String> fullText;

    @Option(
            names = "--transform",
            paramLabel = "KIND",
            description = "identity (default), js (writes a stub module) or java (writes a stub class).")
    String transform;

    @Option(
            names = "--js-file",
            paramLabel = "FILE",
            description = "File name of the JS stub in puffgres/transforms (default: <mapping>.js).")
    String jsFile;

    @Option(
            names = "--java-class",
            paramLabel = "CLASS",
            description = "Class of the Java stub, optionally with a package (default: <Mapping>Transform).")
    String javaClass;
}
