package io.puffgres.cli.generate;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Asks one question of {@code puffgres generate} the way the run allows: its flag when given, the terminal when
 * there is one, else the default ({@code --yes}). A flag the answer's check rejects ends a {@code --yes} run
 * with a one-line error and a hint; on a terminal it is shown as a note and the question is asked instead.
 */
final class Questions {

    /**
     * A question answered by typing.
     *
     * @param help shown under the answer while typing, and the hint of a {@code --yes} error
     * @param live whether the check runs on every keystroke (else on Enter: it may ask the database)
     * @param exitCode the exit code of a rejected flag under {@code --yes}
     */
    record Text(String flag, String question, String help, boolean live, int exitCode) {}

    private final TerminalPrompts prompts;
    private final PrintWriter out;

    /** @param prompts the terminal, or null for {@code --yes}; notes then go to {@code out} */
    Questions(TerminalPrompts prompts, PrintWriter out) {
        this.prompts = prompts;
        this.out = out;
    }

    boolean interactive() {
        return prompts != null;
    }

    void note(String text) {
        if (prompts != null) {
            prompts.note("  " + text);
        } else {
            out.println("note: " + text);
        }
    }

    /**
     * One of {@code choices}: the one whose {@code key} is {@code given}, else asked, else {@code choices[dflt]}.
     */
    <T> T choose(
            String flag,
            String given,
            String question,
            List<Choice<T>> choices,
            int dflt,
            Function<T, String> key,
            int exitCode) {
        if (given != null) {
            for (Choice<T> c : choices) {
                if (key.apply(c.value()).equals(given)) {
                    answered(question, c.label(), flag);
                    return c.value();
                }
            }
            String allowed = choices.stream().map(c -> key.apply(c.value())).collect(Collectors.joining(", "));
            rejectFlag(flag, "\"" + given + "\" is not one of the choices here", "use one of: " + allowed, exitCode);
        }
        return prompts == null ? choices.get(dflt).value() : prompts.select(question, choices, dflt);
    }

    /** A typed answer: {@code given} when it passes {@code check}, else asked, else {@code dflt}. */
    String text(Text q, String given, String dflt, TerminalPrompts.Check check) throws SQLException {
        if (given != null) {
            Optional<InputProblem> problem = check.check(given);
            if (problem.isEmpty()) {
                answered(q.question(), given, q.flag());
                return given;
            }
            rejectFlag(q.flag(), problem.get().message() + " (in \"" + given + "\")", q.help(), q.exitCode());
        }
        if (prompts != null) {
            return prompts.text(
                    q.question(), given != null ? given : dflt == null ? "" : dflt, q.help(), check, q.live());
        }
        if (dflt == null) {
            throw new CliException(ExitCode.USAGE, q.flag() + " is needed with --yes", q.help());
        }
        Optional<InputProblem> problem = check.check(dflt);
        if (problem.isPresent()) {
            throw new CliException(
                    q.exitCode(),
                    q.flag() + " defaults to " + dflt + ": " + problem.get().message(),
                    "give another " + q.flag());
        }
        return dflt;
    }

    /** Like {@link #text}, but a default that passes the check is taken without asking. */
    String textOrDefault(Text q, String given, String dflt, TerminalPrompts.Check check) throws SQLException {
        if (given == null && check.check(dflt).isEmpty()) {
            return dflt;
        }
        return text(q, given, dflt, check);
    }

    /** Some of {@code choices}, asked on the terminal only. */
    <T> List<T> multiSelect(
            String question, List<Choice<T>> choices, Set<Integer> selected, Map<Integer, String> locked) {
        return prompts.multiSelect(question, choices, selected, locked);
    }

    /** One of {@code choices}, asked on the terminal only. */
    <T> T select(String question, List<Choice<T>> choices, int initial) {
        return prompts.select(question, choices, initial);
    }

    /** A flag that does not fit: the end of a {@code --yes} run, a note before the question on a terminal. */
    void rejectFlag(String flag, String problem, String hint, int exitCode) {
        if (prompts == null) {
            throw new CliException(exitCode, flag + ": " + problem, hint);
        }
        prompts.note("  " + flag + ": " + problem + "; asking instead");
    }

    /** On a terminal, shows a question the flag {@code flag} answered. */
    void answered(String question, String answer, String flag) {
        if (prompts != null) {
            prompts.note("? " + question + ": " + answer + " (" + flag + ")");
        }
    }
}
