package io.puffgres.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.config.Diagnostic;
import io.puffgres.config.PostgresUrl;
import io.puffgres.config.ProjectConfig;
import io.puffgres.config.Secret;
import io.puffgres.document.AttributeSchema;
import io.puffgres.document.IdType;
import io.puffgres.event.RelationId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectLoaderTest {

    private static final Path FULL = Path.of("src/test/resources/projects/valid/full");
    private static final Map<String, String> ENV =
            Map.of("APP_PG_PASSWORD", "pg-secret", "TPUF_KEY", "tpuf_secret", "PUFFGRES_FLINK_PARALLELISM", "8");

    @Test
    void parsesEveryFieldOfPuffgresToml() throws Exception {
        ProjectConfig config = ProjectLoader.load(FULL, ENV).config();
        assertThat(config.postgres().url()).isEqualTo(new PostgresUrl("127.0.0.1", 5432, "app", Map.of()));
        assertThat(config.postgres().user()).contains("puffgres");
        assertThat(config.postgres().password()).map(Secret::reveal).contains("pg-secret");
        assertThat(config.postgres().slot()).isEqualTo("pages_slot");
        assertThat(config.postgres().publication()).isEqualTo("pages_pub");
        assertThat(config.turbopuffer().baseUrl()).isEqualTo("https://gcp-us-central1.turbopuffer.com");
        assertThat(config.turbopuffer().apiKey()).map(Secret::reveal).contains("tpuf_secret");
        assertThat(config.turbopuffer().maxRetries()).contains(20);
        assertThat(config.flink())
                .isEqualTo(new ProjectConfig.Flink(
                        ProjectConfig.Flink.Mode.EMBEDDED,
                        Optional.of("http://flink:8081"),
                        8, // PUFFGRES_FLINK_PARALLELISM overrides the file's 4
                        30_000,
                        "s3://bucket/checkpoints",
                        30_000,
                        0,
                        "0.0.0.0",
                        Optional.empty()));
        assertThat(config.state().schema()).isEqualTo("puffgres_state");
        ProjectConfig.Embeddings embeddings = config.embeddings().orElseThrow();
        assertThat(embeddings.baseUrl()).isEqualTo("http://127.0.0.1:9999/v1");
        assertThat(embeddings.model()).isEqualTo("text-embedding-3-small");
        assertThat(embeddings.apiKey()).isEmpty();
        assertThat(embeddings.dimensions()).contains(256);
        assertThat(embeddings.timeoutMs()).isEqualTo(5000);
        assertThat(embeddings.batchSize()).isEqualTo(16);
    }

    @Test
    void webUiBindTakesAnIpAddressFromTheFileOrTheEnvironment() throws Exception {
        for (String address : List.of("::1", "192.168.1.20", "::", "fe80::1", "0.0.0.0")) {
            assertThat(ProjectLoader.load(FULL, Map.of("PUFFGRES_FLINK_WEB_UI_BIND", address))
                            .config()
                            .flink()
                            .webUiBind())
                    .isEqualTo(address);
        }
        for (String notAnAddress : List.of("localhost", "256.1.1.1", "1.2.3", "[::1]", ":::1:::", "", "0.0.0.0 ")) {
            assertThatThrownBy(() -> ProjectLoader.load(FULL, Map.of("PUFFGRES_FLINK_WEB_UI_BIND", notAnAddress)))
                    .as(notAnAddress)
                    .isInstanceOfSatisfying(
                            InvalidProjectException.class,
                            e -> assertThat(e.diagnostics())
                                    .extracting(Diagnostic::render)
                                    .containsExactly("env PUFFGRES_FLINK_WEB_UI_BIND: flink.web_ui_bind: must be an IP"
                                            + " address of this machine, e.g. 127.0.0.1 (the default: this machine"
                                            + " only) or 0.0.0.0 (every interface) (got \"" + notAnAddress + "\")"));
        }
    }

    @Test
    void secretsNeverPrint() throws Exception {
        ProjectConfig config = ProjectLoader.load(FULL, ENV).config();
        assertThat(config.toString())
                .doesNotContain("pg-secret")
                .doesNotContain("tpuf_secret")
                .contains("Secret[TPUF_KEY]");
    }

    @Test
    void parsesEveryFieldOfAMigration() throws Exception {
        Project project = ProjectLoader.load(FULL, ENV);
        assertThat(project.migrations()).extracting(Migration::version).containsExactly(1, 3, 4, 5);
        assertThat(project.effectiveMappings())
                .extracting(m -> m.mappingName() + " v" + m.version())
                .containsExactly("pages_public v3", "members v4", "orders v5");

        Migration pages = project.migrations().get(1);
        assertThat(pages.file()).isEqualTo(Path.of("puffgres/migrations/0003_pages_public.toml"));
        assertThat(pages.namespace()).isEqualTo("pages_v3");
        assertThat(pages.columns()).containsExactly("id", "title", "body", "status", "org_id", "updated_at", "meta");
        assertThat(pages.relation()).isEqualTo(new RelationId("public", "pages"));
        assertThat(pages.id()).isEqualTo(new IdSpec("id", IdType.UINT));
        assertThat(pages.membership().mode()).isEqualTo(Membership.Mode.DSL);
        assertThat(pages.membership().predicate().orElseThrow().toSql())
                .isEqualTo("((\"status\" = 'published') AND ((\"org_id\" = 42) OR (\"org_id\" = 7)))");
        assertThat(pages.transform())
                .isEqualTo(new TransformSpec(
                        TransformSpec.Kind.JS,
                        Optional.of("transforms/pages.js"),
                        Optional.of("toDocument"),
                        Optional.empty(),
                        true));
        assertThat(pages.tpSchema())
                .containsEntry(
                        "title",
                        new AttributeSchema(
                                Optional.of("string"),
                                Map.of("full_text_search", Map.of("language", "english", "stemming", true)),
                                false))
                .containsEntry("org_id", new AttributeSchema(Optional.of("uint"), Map.of("filterable", true), false))
                .containsEntry("updated_at", AttributeSchema.ofType("datetime"))
                .containsEntry("embedding", new AttributeSchema(Optional.of("[256]f32"), Map.of("ann", true), false))
                .containsEntry("meta", new AttributeSchema(Optional.empty(), Map.of(), true));
        assertThat(pages.write()).isEqualTo(new WriteSettings(500, 4_000_000, 250));
        assertThat(pages.versioning()).isEqualTo(new Versioning(Versioning.Mode.COLUMN, Optional.of("updated_at")));

        Migration members = project.migrations().get(2);
        assertThat(members.source())
                .isEqualTo(
                        new Source("public", Optional.empty(), Optional.of("active_members"), Optional.of("members")));
        assertThat(members.membership().mode()).isEqualTo(Membership.Mode.VIEW);
        assertThat(members.transform().className()).contains("com.example.MemberTransform");
        assertThat(members.transform().path()).contains("transforms/MemberTransform.java");

        Migration orders = project.migrations().get(3);
        assertThat(orders.membership().sql()).contains("SELECT 1 FROM paid_orders WHERE order_id = $1");
        assertThat(orders.write()).isEqualTo(WriteSettings.defaults());
        assertThat(orders.versioning()).isEqualTo(Versioning.sourceLsn());
        assertThat(orders.transform()).isEqualTo(TransformSpec.identity());

        Migration first = project.migrations().get(0);
        assertThat(first.membership().predicate().orElseThrow().columns()).containsExactly("status", "deleted_at");
    }

    @Test
    void checksumIgnoresLineEndingsButNotContent(@TempDir Path dir) throws Exception {
        Path lf = dir.resolve("lf.toml");
        Path crlf = dir.resolve("crlf.toml");
        Files.writeString(lf, "version = 1\nnamespace = \"a\"\n");
        Files.writeString(crlf, "version = 1\r\nnamespace = \"a\"\r\n");
        String checksum = MigrationParser.checksum(Files.readAllBytes(lf));
        assertThat(checksum).hasSize(64).isEqualTo(MigrationParser.checksum(Files.readAllBytes(crlf)));
        assertThat(checksum).isNotEqualTo(MigrationParser.checksum("version = 2\nnamespace = \"a\"\n".getBytes()));
        Project project = ProjectLoader.load(FULL, ENV);
        assertThat(project.migrations().get(0).checksum())
                .isEqualTo(MigrationParser.checksum(Files.readAllBytes(
                        FULL.resolve(project.migrations().get(0).file()))));
    }

    @Test
    void defaultsApplyWhenOptionalTablesAreAbsent(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("puffgres/migrations"));
        Files.writeString(dir.resolve("puffgres.toml"), "");
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_items.toml"),
                String.join(
                        "\n",
                        List.of(
                                "version = 1",
                                "mapping_name = \"items\"",
                                "namespace = \"items\"",
                                "columns = [\"id\"]",
                                "[source]",
                                "table = \"items\"",
                                "[id]",
                                "column = \"id\"",
                                "type = \"string\"")));
        Project project = ProjectLoader.load(
                dir,
                Map.of(
                        "PUFFGRES_POSTGRES_URL",
                        "jdbc:postgresql://db/app",
                        "PUFFGRES_TURBOPUFFER_BASE_URL",
                        "http://127.0.0.1:7474"));
        assertThat(project.config().postgres().slot()).isEqualTo("puffgres");
        assertThat(project.config().flink().mode()).isEqualTo(ProjectConfig.Flink.Mode.EMBEDDED);
        assertThat(project.config().flink().checkpointIntervalMs()).isEqualTo(10_000);
        assertThat(project.config().flink().webUiBind()).isEqualTo("127.0.0.1");
        assertThat(project.config().embeddings()).isEmpty();
        Migration m = project.migrations().get(0);
        assertThat(m.membership()).isEqualTo(Membership.all());
        assertThat(m.transform()).isEqualTo(TransformSpec.identity());
        assertThat(m.source().schema()).isEqualTo("public");
    }
}
