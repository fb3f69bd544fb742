package io.puffgres.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * This run of the {@code puffgres} command line, as the top-level command knows it and every command may need it: the
 * environment it reads settings from, and how to start another puffgres process like this one. Implemented by the
 * top-level command, so a command reaches it through its picocli spec ({@link #of}) without depending on the package
 * that registers the commands.
 */
public interface Invocation {

    /** The process environment: {@code PUFFGRES_…} overrides and the variables secrets are read from. */
    Map<String, String> env();

    /** The command line that runs {@code puffgres ARGS} in a new JVM like this one (same options and classpath). */
    List<String> javaCommand(List<String> args);

    /**
     * The invocation a command runs in, from the command's (or a mixin's mixee's) spec.
     *
     * @throws IllegalStateException when the command line's top command is not an invocation (a command run alone)
     */
    static Invocation of(CommandSpec spec) {
        if (spec.root().userObject() instanceof Invocation invocation) {
            return invocation;
        }
        throw new IllegalStateException(
                "command \"" + spec.qualifiedName(" ") + "\" runs below a top command that is no" + " Invocation: "
                        + spec.root().userObject());
    }
}
