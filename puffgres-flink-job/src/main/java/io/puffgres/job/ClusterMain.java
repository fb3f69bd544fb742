package io.puffgres.job;

import io.puffgres.config.ProjectConfig;
import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectBundle;
import io.puffgres.migration.ProjectLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The entry class of a job jar made by {@code puffgres package}, for submitting it by hand (the web UI's "Submit New
 * Job", {@code POST /jars/:id/run}, {@code flink run}): reads the project packed into the jar, prepares Postgres as
 * {@code puffgres run} does (publication, slot with {@code --create-slot}, DLQ table, fills) and starts the job.
 * Arguments: {@code [--slot NAME] [--create-slot] [--strict] [--plugin pgoutput|wal2json] [--poll] [--from-lsn LSN]}
 * ({@code --poll}, or the project's {@code [source] mode = "poll"}, reads wal2json over plain SQL). Secrets and {@code
 * PUFFGRES_…} overrides come from the JobManager's and TaskManagers' environment.
 */
public final class ClusterMain {

    /** The packed project inside a job jar made by {@code puffgres package}. */
    public static final String BUNDLE_ENTRY = "puffgres-project.bundle";

    private static final String USAGE =
            "arguments: [--slot NAME] [--create-slot] [--strict] [--plugin pgoutput|wal2json] [--poll] [--from-lsn LSN]";

    private ClusterMain() {}

    public static void main(String[] args) throws Exception {
        ProjectBundle bundle = bundle();
        Path dir = bundle.unpack(Path.of(System.getProperty("java.io.tmpdir"), "puffgres-projects"));
        Project project;
        try {
            project = ProjectLoader.load(dir, bundle.environment(System.getenv()));
        } catch (InvalidProjectException e) {
            throw new IllegalArgumentException("the packed project is not valid here: "
                    + e.diagnostics().get(0).render() + " (PUFFGRES_ variables of the cluster's environment apply)");
        }
        JobRunner.Options options = options(args, project.config().source().mode())
                .withNotes(note -> System.out.println("puffgres: " + note));
        JobRunner.Started job = JobRunner.startInCluster(project, bundle, options);
        System.out.println("puffgres: started job " + job.client().getJobID()
                + job.restoredFrom().map(p -> ", resuming from " + p).orElse(""));
    }

    /** The options of {@code args} for a project that streams ({@code [source] mode = "stream"}). */
    static JobRunner.Options options(String[] args) {
        return options(args, ProjectConfig.Source.Mode.STREAM);
    }

    /**
     * The options of {@code args} for a project whose {@code [source] mode} is {@code mode}: poll mode (with {@code
     * --poll} or {@code mode = "poll"}) reads wal2json, so {@code --plugin pgoutput} with it is an error naming both.
     */
    static JobRunner.Options options(String[] args, ProjectConfig.Source.Mode mode) {
        Optional<String> slot = Optional.empty();
        Optional<String> fromLsn = Optional.empty();
        boolean createSlot = false;
        boolean strict = false;
        boolean poll = false;
        String plugin = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--slot" -> slot = Optional.of(value(args, ++i));
                case "--create-slot" -> createSlot = true;
                case "--strict" -> strict = true;
                case "--plugin" -> plugin = value(args, ++i);
                case "--poll" -> poll = true;
                case "--from-lsn" -> fromLsn = Optional.of(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
            }
        }
        if (plugin != null && !plugin.equals("pgoutput") && !plugin.equals("wal2json")) {
            throw new IllegalArgumentException("--plugin must be pgoutput or wal2json (got " + plugin + ")");
        }
        boolean polling = poll || mode == ProjectConfig.Source.Mode.POLL;
        if (polling && "pgoutput".equals(plugin)) {
            throw new IllegalArgumentException((poll ? "--poll" : "the project's [source] mode = \"poll\"")
                    + " reads wal2json, so it cannot go with --plugin pgoutput; leave out --plugin (" + USAGE + ")");
        }
        String chosen = polling ? "wal2json" : plugin != null ? plugin : "pgoutput";
        return new JobRunner.Options(slot, createSlot, fromLsn, strict, chosen, -1).withPoll(polling);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value; " + USAGE);
        }
        return args[i];
    }

    private static ProjectBundle bundle() throws IOException, ClassNotFoundException {
        try (InputStream in = ClusterMain.class.getClassLoader().getResourceAsStream(BUNDLE_ENTRY)) {
            if (in == null) {
                throw new IllegalStateException("this jar carries no project: make one with puffgres package"
                        + " --output puffgres-job.jar in the project, then upload that jar");
            }
            try (ObjectInputStream objects = new ObjectInputStream(in)) {
                return (ProjectBundle) objects.readObject();
            }
        }
    }
}
