package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code puffgres run} with a Java transform, started in the background with a temp dir of its own and stopped
 * with {@code puffgres stop}: the transform is compiled once, when the project is packed for the job (that directory
 * goes at once), its tasks load it from the project they unpack, and that is gone once the run has stopped.
 */
class RunLeavesNoTempFilesIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final String JAVA_TRANSFORM = """
            package com.example;

            import io.puffgres.document.DocId;
            import io.puffgres.document.Document;
            import io.puffgres.event.RowEvent;
            import io.puffgres.transform.Action;
            import io.puffgres.transform.Transform;
            import io.puffgres.transform.TransformContext;
            import java.util.Map;

            public class Titles implements Transform {
                @Override
                public Action apply(RowEvent event, DocId id, TransformContext ctx) {
                    return new Action.Upsert(new Document(id, Map.of("title", event.after().get("title"))));
                }
            }
            """;

    /** What puffgres leaves in {@code tmp}: compiled classes, unpacked projects (paths relative to {@code tmp}). */
    private static List<String> leftovers(Path tmp) throws IOException {
        try (Stream<Path> entries = Files.walk(tmp)) {
            return entries.map(p -> tmp.relativize(p).toString())
                    .filter(n -> n.startsWith("puffgres-classes")
                            || n.startsWith("puffgres-bundle-classes")
                            || n.matches("puffgres-projects/.+"))
                    .toList();
        }
    }

    @Test
    void startingAndStoppingLeavesNoClassesDirectory() throws Exception {
        CliProject project = CliProject.create(db, tpuf, "tempfiles");
        Path java = project.dir().resolve("puffgres/transforms/Titles.java");
        Files.writeString(java, JAVA_TRANSFORM);
        String v1 = Files.readString(project.dir().resolve("puffgres/migrations/0001_tempfiles.toml"));
        Files.writeString(
                project.dir().resolve("puffgres/migrations/0002_tempfiles.toml"),
                v1.replace("version = 1", "version = 2")
                        .replace(
                                "kind = \"js\"\npath = \"transforms/t.js\"",
                                "kind = \"java\"\nclass = \"com.example.Titles\""));
        ValidateCommandTest.Result applied = project.run("apply");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        db.execute("INSERT INTO tempfiles VALUES (1, 'one')");

        Path tmp = Files.createTempDirectory("puffgres-run-tmp-");
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        ValidateCommandTest.Result started = ValidateCommandTest.run(
                env,
                "run",
                "--create-slot",
                "--detach",
                "--web-ui-port",
                "0",
                "--project",
                project.dir().toString());
        assertThat(started.exitCode()).as(started.err()).isZero();
        assertThat(new ObjectMapper()
                        .readTree(
                                project.dir().resolve("puffgres/state/run.json").toFile())
                        .path("rest_url")
                        .asText())
                .startsWith("http://127.0.0.1:");
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(project.titles()).containsEntry(1L, "one"));
        assertThat(leftovers(tmp))
                .as("the tasks load the Java transform compiled when the project was packed")
                .anyMatch(p ->
                        p.matches("puffgres-projects/puffgres-project-\\w+/puffgres/compiled-transforms/com/example"
                                + "/Titles.class"))
                .noneMatch(p -> p.startsWith("puffgres-classes") || p.startsWith("puffgres-bundle-classes"));

        ValidateCommandTest.Result stopped = project.run("stop");
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isZero();
        assertThat(stopped.out()).endsWith("stopped\n");
        assertThat(leftovers(tmp)).isEmpty();
    }
}
