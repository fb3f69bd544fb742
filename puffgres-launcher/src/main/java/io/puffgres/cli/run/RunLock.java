package io.puffgres.cli.run;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.RunFile;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The one {@code puffgres run} of a project: an exclusive lock on {@code puffgres/state/run.lock}, held for the life
 * of the run process. The operating system releases it when the process ends, even on {@code kill -9}, so a dead
 * run never blocks the next one, and two runs started at the same moment cannot both take it ({@code run.json} is
 * written only once the job is submitted, too late to tell). The file holds the holder's pid. Thread-safe.
 */
final class RunLock implements AutoCloseable {

    /**
     * The lock files this JVM holds. Closing any channel of a file releases every lock the process holds on it
     * (POSIX record locks), so a second run in the same JVM (in-process tests) must be refused without opening the
     * file.
     */
    private static final Set<Path> HELD_HERE = new HashSet<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** {@code <project>/puffgres/state/run.lock}. */
    static Path path(Project project) {
        return RunFile.path(project).resolveSibling("run.lock");
    }

    /**
     * Takes the project's run lock until {@link #close()}, and writes this process's pid into the file.
     *
     * @throws CliException (exit 1) naming the running {@code puffgres run} when another one holds it
     */
    static RunLock acquire(Project project) {
        RunLock lock = tryAcquire(project).orElseThrow(() -> refusal(project));
        try {
            lock.recordPid();
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Refuses (exit 1, naming the running one) when another {@code puffgres run} holds the lock; holds nothing. */
    static void checkFree(Project project) {
        synchronized (RunLock.class) { // so that no other thread of this JVM sees it held for this moment
            tryAcquire(project).orElseThrow(() -> refusal(project)).close();
        }
    }

    private static synchronized Optional<RunLock> tryAcquire(Project project) {
        Path file = path(project);
        try {
            Files.createDirectories(file.getParent());
            Path key = file.toAbsolutePath().normalize();
            if (HELD_HERE.contains(key)) {
                return Optional.empty();
            }
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            HELD_HERE.add(key);
            return Optional.of(new RunLock(key, channel, lock));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    /** Writes this process's pid into the lock file, for a refused run to name while run.json is not written yet. */
    private void recordPid() {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(
                    String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static CliException refusal(Project project) {
        Optional<RunFile> run = RunFile.live(RunFile.path(project));
        if (run.isPresent() && run.get().remote()) {
            return new CliException(
                    ExitCode.RUNTIME,
                    "puffgres job " + run.get().jobId() + " of " + project.dir() + " runs on the Flink cluster at "
                            + run.get().restUrl(),
                    "puffgres status shows it; puffgres stop stops it with a savepoint");
        }
        if (run.isPresent()) {
            String ui = run.get().restUrl().isEmpty()
                    ? "no web UI"
                    : "Flink web UI " + run.get().restUrl();
            return new CliException(
                    ExitCode.RUNTIME,
                    "puffgres run is already running for " + project.dir() + " (pid "
                            + run.get().pid() + ", " + ui + ")",
                    "puffgres status shows it; puffgres stop stops it with a savepoint");
        }
        return new CliException(
                ExitCode.RUNTIME,
                "puffgres run is already starting for " + project.dir() + holder(project),
                "wait for it to start, then puffgres status shows it and puffgres stop stops it");
    }

    /**
     * {@code " (pid N)"} from the lock file, or nothing while the holder has not written it yet. Synchronized: reading
     * the file closes a descriptor of it, which would release a lock another thread of this JVM took meanwhile.
     */
    private static synchronized String holder(Project project) {
        if (HELD_HERE.contains(path(project).toAbsolutePath().normalize())) {
            return " (pid " + ProcessHandle.current().pid() + ")";
        }
        try {
            String pid =
                    Files.readString(path(project), StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Releases the lock; the file stays (deleting it could let two runs lock two different files). */
    @Override
    public void close() {
        synchronized (RunLock.class) {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unlock " + file, e);
            } finally {
                HELD_HERE.remove(file);
            }
        }
    }
}
