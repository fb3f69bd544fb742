package io.puffgres.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pid files of a cluster started by {@code dev/cluster}, one per process in {@link ClusterHome#pidDir()} ({@code
 * jobmanager.pid}, {@code taskmanager-1.pid}, …), so that a later {@code stop} or {@code status} finds the processes.
 * A pid counts only while its process runs the role's entry point, so a pid reused by another program is not touched.
 */
final class PidFiles {

    static final String JOB_MANAGER = "jobmanager";
    static final String TASK_MANAGER_PREFIX = "taskmanager-";
    private static final String SUFFIX = ".pid";

    private final Path dir;

    PidFiles(ClusterHome home) {
        this.dir = home.pidDir();
    }

    void write(String name, Process process) throws IOException {
        Files.writeString(dir.resolve(name + SUFFIX), Long.toString(process.pid()), StandardCharsets.UTF_8);
    }

    /** The running process recorded under {@code name}, if its pid file exists and the process still runs. */
    Optional<ProcessHandle> running(String name) {
        Path file = dir.resolve(name + SUFFIX);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        FlinkRole role = roleOf(name);
        try {
            long pid = Long.parseLong(
                    Files.readString(file, StandardCharsets.UTF_8).strip());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> handle.info()
                            .commandLine()
                            .map(line -> line.contains(role.mainClass()))
                            // another user's process hides its command line; the pid file is then trusted
                            .orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The TaskManager names with a pid file, running or not, in the order of their numbers. */
    List<String> taskManagers() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith(TASK_MANAGER_PREFIX) && f.endsWith(SUFFIX))
                    .map(f -> f.substring(0, f.length() - SUFFIX.length()))
                    .sorted(Comparator.comparingInt(PidFiles::number))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name for a new TaskManager: one past the highest number used in this home. */
    String nextTaskManager() {
        int last = taskManagers().stream().mapToInt(PidFiles::number).max().orElse(0);
        return TASK_MANAGER_PREFIX + (last + 1);
    }

    void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name + SUFFIX));
    }

    static FlinkRole roleOf(String name) {
        return name.equals(JOB_MANAGER) ? FlinkRole.JOB_MANAGER : FlinkRole.TASK_MANAGER;
    }

    private static int number(String name) {
        try {
            return Integer.parseInt(name.substring(TASK_MANAGER_PREFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
