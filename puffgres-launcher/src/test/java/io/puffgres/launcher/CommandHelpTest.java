package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command, nested ones included, documents itself the same way and reports usage errors the same way. */
class CommandHelpTest {

    /** Every command's path below {@code puffgres}, e.g. [run], [dlq, retry]. */
    private static List<List<String>> commands(CommandLine cli, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        cli.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandSpec().aliases().length > 0
                    && List.of(sub.getCommandSpec().aliases()).contains(name)) {
                return; // an alias: the command itself is listed under its name
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            out.add(path);
            out.addAll(commands(sub, path));
        });
        return out;
    }

    @Test
    void everyCommandsHelpShowsExamplesAndTheExitCodes() {
        List<List<String>> all = commands(new CommandLine(new PuffgresCommand(Map.of())), List.of());
        assertThat(all).extracting(p -> p.get(0)).contains("init", "validate", "apply", "run", "stop", "emulator");
        for (List<String> path : all) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            ValidateCommandTest.Result r = ValidateCommandTest.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", path)).isZero();
            assertThat(r.out().replaceAll("\\s+", " ")) // picocli wraps long lines
                    .as(String.join(" ", path))
                    .contains("Examples:")
                    .contains("Exit codes: 0 ")
                    .contains("1 runtime failure")
                    .contains("2 usage error");
        }
    }

    @Test
    void theCommandListShowsEachCommandAsAWholeSentence() {
        // a parent's list shows the first line of each child's description
        CommandLine cli = new CommandLine(new PuffgresCommand(Map.of()));
        List<CommandLine> parents = new ArrayList<>(List.of(cli));
        commands(cli, List.of()).forEach(path -> {
            CommandLine c = cli;
            for (String name : path) {
                c = c.getSubcommands().get(name);
            }
            parents.add(c);
        });
        for (CommandLine parent : parents) {
            parent.getSubcommands()
                    .forEach((name, sub) -> assertThat(
                                    sub.getCommandSpec().usageMessage().description()[0])
                            .as(name)
                            .endsWith("."));
        }
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithTheHelpHint() {
        for (String command : List.of("init", "apply", "run", "stop")) {
            ValidateCommandTest.Result r = ValidateCommandTest.run(command, "--bogus");
            assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err())
                    .isEqualTo("error: Unknown option: '--bogus'\nhint: run puffgres " + command + " --help\n");
        }
    }

    @Test
    void stacktraceAddsTheTraceToTheOneLineError() {
        ValidateCommandTest.Result plain = ValidateCommandTest.run("apply", "--project", "/nonexistent/project");
        assertThat(plain.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(plain.err().lines()).hasSize(2);
        ValidateCommandTest.Result traced =
                ValidateCommandTest.run("--stacktrace", "apply", "--project", "/nonexistent/project");
        assertThat(traced.err()).startsWith(plain.err()).contains("\tat io.puffgres.cli.");
    }
}
