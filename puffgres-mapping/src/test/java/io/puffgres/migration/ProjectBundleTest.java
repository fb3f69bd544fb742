package io.puffgres.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.document.DocId;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.testkit.ProjectFiles;
import io.puffgres.transform.Action;
import io.puffgres.transform.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a job carries of its project ({@link ProjectBundle}), and a project loaded back from it on a cluster. */
class ProjectBundleTest {

    @TempDir
    Path tmp;

    private static final String MEMBER_TRANSFORM = """
            package com.example;

            import io.puffgres.document.DocId;
            import io.puffgres.event.RowEvent;
import io.puffgres.testkit.ProjectFiles;
            import io.puffgres.transform.Action;
            import io.puffgres.document.DocId;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.testkit.ProjectFiles;
import io.puffgres.transform.Action;
import io.puffgres.transform.Transform;
            import io.puffgres.transform.TransformContext;

            public class MemberTransform implements Transform {
                @Override
                public Action apply(RowEvent event, DocId id, TransformContext ctx) {
                    return new Action.Skip("bundled");
                }
            }
            """;

    /**
     * A project of three mappings (a JS, a Java and an identity transform), with a JS helper beside the transforms;
     * no password anywhere.
     */
    private Path projectDir() throws Exception {
        Path dir = tmp.resolve("project");
        Files.createDirectories(dir.resolve("puffgres/migrations"));
        Files.createDirectories(dir.resolve("puffgres/transforms/lib"));
        Files.writeString(dir.resolve("puffgres.toml"), """
                [postgres]
                url = "jdbc:postgresql://127.0.0.1:5432/app"
                user = "puffgres"
                password_env = "APP_PG_PASSWORD"
                slot = "app_slot"
                publication = "app_pub"

                [turbopuffer]
                base_url = "http://127.0.0.1:9999"
                """);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_pages.toml"),
                migration(1, "pages", "[transform]\nkind = \"js\"\npath = \"transforms/pages.js\"\n"));
        Files.writeString(
                dir.resolve("puffgres/migrations/0002_members.toml"),
                migration(2, "members", "[transform]\nkind = \"java\"\nclass = \"com.example.MemberTransform\"\n"));
        Files.writeString(dir.resolve("puffgres/migrations/0003_orders.toml"), migration(3, "orders", ""));
        Files.writeString(
                dir.resolve("puffgres/transforms/pages.js"), "export function transform(row) { return row; }\n");
        Files.writeString(dir.resolve("puffgres/transforms/lib/shared.js"), "export const shared = 1;\n");
        Files.writeString(dir.resolve("puffgres/transforms/MemberTransform.java"), MEMBER_TRANSFORM);
        return dir;
    }

    /** A migration of {@code public.<table>(id, title)} with the given {@code [transform]} table (none: identity). */
    private static String migration(int version, String table, String transform) {
        return ProjectFiles.migration(version, table, table, table, "\"id\", \"title\"", transform);
    }

    /** The project in {@code dir} as the job runs it: its first two migrations only (the third not applied). */
    private static Project applied(Path dir, Map<String, String> env) throws Exception {
        Project all = ProjectLoader.load(dir, env);
        return new Project(all.dir(), all.config(), all.migrations().subList(0, 2));
    }

    private static Migration mapping(Project project, String name) {
        return project.migrations().stream()
                .filter(m -> m.mappingName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void packsTheConfigTheGivenMigrationsEveryTransformFileAndTheCompiledJavaTransforms() throws Exception {
        Path dir = projectDir();
        ProjectBundle bundle = ProjectBundle.of(applied(dir, Map.of()), Map.of());

        String compiled = ProjectBundle.COMPILED_DIR + "/com/example/MemberTransform.class";
        assertThat(bundle.files())
                .containsOnlyKeys(
                        "puffgres.toml",
                        "puffgres/migrations/0001_pages.toml",
                        "puffgres/migrations/0002_members.toml",
                        "puffgres/transforms/pages.js",
                        "puffgres/transforms/lib/shared.js",
                        "puffgres/transforms/MemberTransform.java",
                        compiled);
        for (String source : List.of("puffgres.toml", "puffgres/transforms/lib/shared.js")) {
            assertThat(bundle.files().get(source)).isEqualTo(Files.readAllBytes(dir.resolve(source)));
        }
        assertThat(bundle.files().get(compiled))
                .as("a class file")
                .startsWith((byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE);
    }

    @Test
    void packsPuffgresOverridesButNeitherClientOnlyVariablesNorSecrets() throws Exception {
        Path dir = projectDir();
        Map<String, String> env = new HashMap<>();
        env.put("PUFFGRES_FLINK_PARALLELISM", "3");
        env.put("PUFFGRES_POSTGRES_SLOT", "other_slot");
        env.put("PUFFGRES_LOG_LEVEL", "debug");
        env.put("PUFFGRES_JAVA_OPTS", "-Xmx1g");
        env.put("PUFFGRES_PG_BIN", "/usr/lib/postgresql/15/bin");
        env.put("PUFFGRES_FLINK_CONF_DIR", "/etc/flink");
        env.put("APP_PG_PASSWORD", "s3cret");
        env.put("PUFFGRES_PG_PASSWORD", "s3cret"); // the variable the docs suggest for the password
        env.put("HOME", "/root");

        ProjectBundle bundle = ProjectBundle.of(applied(dir, env), env);

        assertThat(bundle.overrides())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("PUFFGRES_FLINK_PARALLELISM", "3", "PUFFGRES_POSTGRES_SLOT", "other_slot"));
    }

    @Test
    void leavesOutThePuffgresVariablesThatPasswordEnvAndApiKeyEnvName() throws Exception {
        Path dir = projectDir();
        Path toml = dir.resolve("puffgres.toml");
        Files.writeString(
                toml,
                Files.readString(toml)
                        .replace("APP_PG_PASSWORD", "PUFFGRES_SECRET_PW")
                        .replace("[turbopuffer]\n", "[turbopuffer]\napi_key_env = \"PUFFGRES_TPUF_KEY\"\n"));
        Map<String, String> env = Map.of(
                "PUFFGRES_SECRET_PW", "s3cret",
                "PUFFGRES_TPUF_KEY", "tpuf_s3cret",
                "PUFFGRES_POSTGRES_SLOT", "other_slot");

        ProjectBundle bundle = ProjectBundle.of(applied(dir, env), env);

        assertThat(bundle.overrides()).containsOnlyKeys("PUFFGRES_POSTGRES_SLOT");
    }

    @Test
    void refusesAPostgresUrlFromTheEnvironmentThatHoldsAPassword() throws Exception {
        Path dir = projectDir();
        Path toml = dir.resolve("puffgres.toml");
        Files.writeString(toml, Files.readString(toml).replace("password_env = \"APP_PG_PASSWORD\"\n", ""));
        Map<String, String> env = Map.of("PUFFGRES_POSTGRES_URL", "postgresql://puffgres:s3cret@127.0.0.1:5432/app");
        Project project = applied(dir, env);

        assertThatThrownBy(() -> ProjectBundle.of(project, env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PUFFGRES_POSTGRES_URL holds a password")
                .hasMessageContaining("password_env")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void itsIdChangesWhenAFileOrAnOverrideChangesAndNotOtherwise() throws Exception {
        Path dir = projectDir();
        String id = ProjectBundle.of(applied(dir, Map.of()), Map.of()).id();

        Path js = dir.resolve("puffgres/transforms/pages.js");
        Files.setLastModifiedTime(js, FileTime.fromMillis(0)); // touched, not changed
        assertThat(ProjectBundle.of(applied(dir, Map.of()), Map.of()).id()).isEqualTo(id);
        assertThat(ProjectBundle.of(applied(dir, Map.of()), Map.of("PUFFGRES_LOG_LEVEL", "debug"))
                        .id())
                .as("a client-only variable is not the job's")
                .isEqualTo(id);

        Map<String, String> parallel = Map.of("PUFFGRES_FLINK_PARALLELISM", "3");
        assertThat(ProjectBundle.of(applied(dir, parallel), parallel).id()).isNotEqualTo(id);

        Files.writeString(js, "export function transform(row) { return { title: row.title }; }\n");
        String changed = ProjectBundle.of(applied(dir, Map.of()), Map.of()).id();
        assertThat(changed).isNotEqualTo(id);
        assertThat(ProjectBundle.of(applied(dir, Map.of()), Map.of()).id()).isEqualTo(changed);
    }

    @Test
    void unpacksEveryFileOnceAndASecondUnpackFindsTheDirectory() throws Exception {
        ProjectBundle bundle = ProjectBundle.of(applied(projectDir(), Map.of()), Map.of());
        Path root = tmp.resolve("projects");

        Path unpacked = bundle.unpack(root);

        assertThat(unpacked).isEqualTo(root.resolve("puffgres-project-" + bundle.id()));
        for (Map.Entry<String, byte[]> file : bundle.files().entrySet()) {
            assertThat(unpacked.resolve(file.getKey())).hasBinaryContent(file.getValue());
        }
        Files.writeString(unpacked.resolve("puffgres/transforms/pages.js"), "edited on the task's machine");
        assertThat(bundle.unpack(root)).isEqualTo(unpacked);
        assertThat(unpacked.resolve("puffgres/transforms/pages.js"))
                .as("not written again")
                .hasContent("edited on the task's machine");
        try (Stream<Path> entries = Files.list(root)) {
            assertThat(entries).as("no temporary directory left").containsExactly(unpacked);
        }
    }

    @Test
    void aTasksOwnEnvironmentWinsOverTheBundlesOverrides() throws Exception {
        Map<String, String> submitted = Map.of("PUFFGRES_FLINK_PARALLELISM", "3", "PUFFGRES_POSTGRES_SLOT", "a");
        ProjectBundle bundle = ProjectBundle.of(applied(projectDir(), submitted), submitted);

        Map<String, String> env =
                bundle.environment(Map.of("PUFFGRES_FLINK_PARALLELISM", "5", "APP_PG_PASSWORD", "s3cret"));

        assertThat(env)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "PUFFGRES_FLINK_PARALLELISM", "5",
                        "PUFFGRES_POSTGRES_SLOT", "a",
                        "APP_PG_PASSWORD", "s3cret"));
    }

    @Test
    void aProjectLoadedFromTheUnpackedDirectoryUsesTheCompiledJavaTransformAndCompilesNothing() throws Exception {
        ProjectBundle bundle = ProjectBundle.of(applied(projectDir(), Map.of()), Map.of());
        Path unpacked = bundle.unpack(tmp.resolve("projects"));
        // what a cluster's JVM without a compiler must do: use the classes compiled where the job was submitted. A
        // source that no longer compiles shows that nothing is compiled here (the loader wants the file to exist).
        Files.writeString(unpacked.resolve("puffgres/transforms/MemberTransform.java"), "not Java");

        Project project = ProjectLoader.load(unpacked, bundle.environment(Map.of()));

        assertThat(project.migrations()).extracting(Migration::mappingName).containsExactly("pages", "members");
        try (MigrationTransforms transforms = new MigrationTransforms(project);
                Transform java = transforms.create(mapping(project, "members"))) {
            RowEvent insert = new RowEvent(
                    Op.INSERT,
                    new RelationId("public", "members"),
                    null,
                    Row.builder()
                            .put("id", "int8", 7L)
                            .put("title", "text", "Ada")
                            .build(),
                    100,
                    1,
                    Instant.EPOCH);
            assertThat(java.apply(insert, new DocId.Uint(7), null)).isEqualTo(new Action.Skip("bundled"));
            assertThat(transforms.classesDir()).as("nothing compiled").isEmpty();
        }
    }
}
