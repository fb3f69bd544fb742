package io.puffgres.cli.run;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.ProjectOption;
import io.puffgres.job.ClusterMain;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectBundle;
import io.puffgres.transform.TransformLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Enumeration;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres package}: a job jar with the project's applied migrations, transform sources and compiled Java
 * transforms inside, for submitting to a Flink cluster by hand (web UI, REST API, {@code flink run}); its entry class
 * is {@link ClusterMain}.
 */
@Command(
        name = "package",
        description = {
            "Write a job jar carrying the project, to submit to a Flink cluster by hand.",
            "It holds the applied migrations, the transforms and the compiled Java transforms; upload it in the web UI",
            "(Submit New Job) or with the REST API; entry class io.puffgres.job.ClusterMain.",
            "puffgres run --target remote does the same and submits it; package is for submitting by hand."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres package --output /tmp/puffgres-job.jar",
            "Program arguments of ClusterMain: [--slot NAME] [--create-slot] [--strict] [--plugin NAME] [--from-lsn"
                    + " LSN]",
            ExitCode.HELP_FOOTER
        })
public final class PackageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            defaultValue = "puffgres-job.jar",
            description = "The jar to write (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Project all = project.load();
        Project applied;
        try (Connection c = project.postgres(all).connect()) {
            applied = RunCommand.applied(all, c, out);
        } catch (SQLException e) {
            throw project.postgres(all).failure(e);
        }
        ProjectBundle bundle;
        try {
            bundle = ProjectBundle.of(applied, project.invocation().env());
        } catch (TransformLoadException e) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    "a Java transform does not compile: " + String.join("; ", e.problems()),
                    "puffgres validate shows every problem");
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.INVALID_CONFIG, e.getMessage(), "see docs/cluster.md");
        }
        write(JobJar.locate(), bundle, output);
        out.println(
                "wrote " + output.toAbsolutePath() + ": " + applied.migrations().size() + " migration(s), "
                        + bundle.files().size() + " file(s) of the project");
        out.println("entry class io.puffgres.job.ClusterMain; program arguments: --create-slot on the first run,"
                + " --slot NAME, --strict, --plugin wal2json, --poll as for puffgres run");
        out.println("to resume, give the newest savepoint or retained checkpoint of [flink] checkpoint_dir as the"
                + " savepoint path (puffgres run --target remote finds it itself)");
        return ExitCode.OK;
    }

    /** Copies {@code jobJar} to {@code output} with the bundle added as {@link ClusterMain#BUNDLE_ENTRY}. */
    static void write(Path jobJar, ProjectBundle bundle, Path output) throws IOException {
        Path tmp = Files.createTempFile(
                output.toAbsolutePath().getParent(), output.getFileName().toString(), ".tmp");
        try (JarFile in = new JarFile(jobJar.toFile());
                JarOutputStream jar = new JarOutputStream(Files.newOutputStream(tmp), in.getManifest())) {
            Enumeration<JarEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().equals(JarFile.MANIFEST_NAME)
                        || entry.getName().equals(ClusterMain.BUNDLE_ENTRY)) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream body = in.getInputStream(entry)) {
                    body.transferTo(jar);
                }
                jar.closeEntry();
            }
            jar.putNextEntry(new JarEntry(ClusterMain.BUNDLE_ENTRY));
            ObjectOutputStream objects = new ObjectOutputStream(new NonClosing(jar));
            objects.writeObject(bundle);
            objects.flush();
            jar.closeEntry();
        }
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Keeps the jar open when the object stream around one of its entries is done. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
