package io.puffgres.cli;

/** The documented exit codes of every puffgres command. */
public final class ExitCode {

    public static final int OK = 0;
    /** Something failed while running (Postgres or turbopuffer unreachable, a job failure). */
    public static final int RUNTIME = 1;
    /** The command line was wrong (unknown option, missing argument). */
    public static final int USAGE = 2;
    /** puffgres.toml or a migration is invalid. */
    public static final int INVALID_CONFIG = 3;
    /** A preflight check found a problem (doctor, verify). */
    public static final int PREFLIGHT = 4;
    /**
     * {@code verify}: no difference found, but a namespace is still being filled, so it was not compared; verify again
     * once it is filled.
     */
    public static final int FILLING = 5;

    /** The exit codes as every command's help ends with them. */
    public static final String HELP_FOOTER =
            "%nExit codes: 0 ok, 1 runtime failure, 2 usage error, 3 invalid configuration or"
                    + " migration, 4 preflight findings.";

    private ExitCode() {}
}
