package io.puffgres.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the JVMs of a local standalone cluster the way Flink's {@code bin/jobmanager.sh} and {@code
 * bin/taskmanager.sh} do: memory flags from {@code BashJavaUtils}, the JDK 17 {@code --add-opens}/{@code --add-exports}
 * set of Flink's default {@code env.java.opts.all}, one Log4j file a process, Flink's jars as the classpath, and the
 * entry point with {@code --configDir} and {@code -D} properties. The one launch routine of {@code dev/cluster} and the
 * testkit's {@code FlinkCluster}.
 *
 * <p>A started process gets the caller's environment plus the launcher's ({@code FLINK_PLUGINS_DIR}, {@code
 * FLINK_CONF_DIR} and the map given to the constructor, e.g. the secrets a job reads from its TaskManagers'
 * environment). Its stdout and stderr go to {@link ClusterHome#outFile(String)}, so it outlives the caller. Thread-safe.
 */
public final class FlinkLauncher {

    /** The JDK 17 flags, a resource filtered from the parent pom's {@code flink.java17.opens} at build time. */
    private static final String JVM_OPTIONS_RESOURCE = "jvm-options";

    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    /** BashJavaUtils loads the configuration and prints; a minute is far beyond what it takes on a busy machine. */
    private static final long BASH_JAVA_UTILS_TIMEOUT_SECONDS = 60;

    private final ClusterFiles files;
    private final ClusterHome home;
    private final Map<String, String> environment;
    private final boolean detached;

    /**
     * @param environment variables added to every process's environment (values are never logged)
     * @param detached whether the processes run in a session of their own ({@code setsid}), so that a Ctrl-C or a
     *     closed terminal of the shell that started them does not stop the cluster ({@code dev/cluster}); tests keep
     *     them attached
     */
    public FlinkLauncher(ClusterFiles files, ClusterHome home, Map<String, String> environment, boolean detached) {
        this.files = files;
        this.home = home;
        this.environment = Map.copyOf(environment);
        this.detached = detached;
    }

    /**
     * Starts one process and returns at once; whether it comes up is for the caller to see (the REST API, or its log).
     *
     * @param name the process's name, which names its log files ({@code jobmanager}, {@code taskmanager-2})
     * @param properties Flink settings on top of the configuration file, passed as {@code -D key=value}
     */
    public Process start(FlinkRole role, String name, Map<String, String> properties) throws IOException {
        ResourceParams resources = resourceParams(role, properties);
        ProcessBuilder builder = new ProcessBuilder(command(role, name, resources, properties))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(home.outFile(name).toFile()));
        builder.environment().putAll(processEnvironment());
        return builder.start();
    }

    /** The command line of one process. */
    List<String> command(FlinkRole role, String name, ResourceParams resources, Map<String, String> properties) {
        List<String> command = new ArrayList<>();
        if (detached) {
            command.add("setsid");
        }
        command.add(javaBinary());
        command.addAll(resources.jvmArgs());
        command.addAll(jdk17Options());
        command.add("-Dlog.file=" + home.logFile(name));
        command.add("-Dlog4j.configuration=file:" + home.log4jConfig());
        command.add("-Dlog4j.configurationFile=file:" + home.log4jConfig());
        command.add("-classpath");
        command.add(classpath());
        command.add(role.mainClass());
        command.add("--configDir");
        command.add(home.confDir().toString());
        command.addAll(resources.dynamicArgs());
        command.addAll(dynamicArgs(properties));
        return command;
    }

    /** Runs Flink's BashJavaUtils on the configuration plus {@code properties}, as Flink's scripts do. */
    private ResourceParams resourceParams(FlinkRole role, Map<String, String> properties) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                javaBinary(),
                "-classpath",
                classpath(),
                BASH_JAVA_UTILS,
                role.resourceCommand(),
                "--configDir",
                home.confDir().toString()));
        command.addAll(dynamicArgs(properties));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(BASH_JAVA_UTILS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("Flink's BashJavaUtils did not finish in " + BASH_JAVA_UTILS_TIMEOUT_SECONDS
                        + " s; is the machine overloaded?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while computing the memory settings of a " + role, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("the memory settings of " + home.confDir().resolve("config.yaml")
                    + " are not valid for a " + role + ": " + lastLines(output));
        }
        return ResourceParams.parse(output);
    }

    private Map<String, String> processEnvironment() {
        Map<String, String> env = new LinkedHashMap<>(environment);
        // Flink reads plugins from $FLINK_PLUGINS_DIR (default ./plugins of the working directory)
        env.put("FLINK_PLUGINS_DIR", home.pluginsDir().toString());
        env.put("FLINK_CONF_DIR", home.confDir().toString());
        return env;
    }

    private String classpath() {
        // the JVM expands dir/* to the directory's jars, as Flink's scripts list lib/*.jar
        return files.libDir() + File.separator + "*";
    }

    private static List<String> dynamicArgs(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> {
            args.add("-D");
            args.add(key + "=" + value);
        });
        return args;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> jdk17Options() {
        try (InputStream in = FlinkLauncher.class.getResourceAsStream(JVM_OPTIONS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "resource " + JVM_OPTIONS_RESOURCE + " missing; rebuild puffgres-cluster");
            }
            return Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .strip()
                    .split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastLines(String output) {
        List<String> lines = output.strip().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
