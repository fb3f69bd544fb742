package io.puffgres.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * A small unbounded job with checkpointed state, for tests of a real cluster: a rate-limited number source (its
 * position is checkpointed) keyed into a running count per key (keyed state). Its classes are packed into a jar of
 * their own ({@link #jar(Path)}) and uploaded to the cluster, as a user's job jar is.
 */
final class CountingJob {

    static final String NAME = "counting-job";

    /** Numbers per second: enough for state to change between checkpoints, little for a busy machine. */
    private static final double RATE = 50;

    private CountingJob() {}

    /** Adds the job to {@code env}; the caller executes it. */
    static void build(StreamExecutionEnvironment env) {
        DataGeneratorSource<Long> numbers = new DataGeneratorSource<>(
                new Identity(), Long.MAX_VALUE, RateLimiterStrategy.perSecond(RATE), Types.LONG);
        env.fromSource(numbers, WatermarkStrategy.noWatermarks(), "numbers")
                .keyBy(new Remainder())
                .map(new RunningCount())
                .name("running count")
                .sinkTo(new DiscardingSink<>());
    }

    /**
     * Writes a jar of this job's classes (this class and its nested ones) from the test classes directory.
     *
     * @return the jar
     */
    static Path jar(Path dir) throws IOException {
        Path classes = Path.of(CountingJob.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .resolve(CountingJob.class.getPackageName().replace('.', '/'));
        List<Path> files;
        try (Stream<Path> listing = Files.list(classes)) {
            files = listing.filter(f -> f.getFileName().toString().startsWith(CountingJob.class.getSimpleName()))
                    .toList();
        }
        Path jar = dir.resolve("counting-job.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream entries = new JarOutputStream(out)) {
            for (Path file : files) {
                String prefix = CountingJob.class.getPackageName().replace('.', '/') + "/";
                entries.putNextEntry(new JarEntry(prefix + file.getFileName()));
                Files.copy(file, entries);
                entries.closeEntry();
            }
        }
        return jar;
    }

    static final class Identity implements GeneratorFunction<Long, Long> {
        @Override
        public Long map(Long index) {
            return index;
        }
    }

    static final class Remainder implements KeySelector<Long, Long> {
        @Override
        public Long getKey(Long n) {
            return n % 4;
        }
    }

    /** Emits how many numbers its key has seen, from keyed state a restore brings back. */
    static final class RunningCount extends RichMapFunction<Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public Long map(Long n) throws IOException {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            return next;
        }
    }
}
