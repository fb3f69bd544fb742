package io.puffgres.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaTransformCompilerTest {

    @TempDir
    Path project;

    private static final RowEvent EVENT = new RowEvent(
            Op.INSERT,
            new RelationId("public", "pages"),
            null,
            Row.builder().put("id", "int8", 7L).put("title", "text", "Hello").build(),
            100,
            1,
            Instant.EPOCH);

    private Path write(String file, String code) throws Exception {
        Path path = project.resolve("puffgres/transforms").resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, code);
        return path;
    }

    private ClassLoader compile() throws Exception {
        return JavaTransformCompiler.compile(
                project.resolve("puffgres"), project.resolve("puffgres/transforms"), project.resolve("classes"));
    }

    @Test
    void compilesAndRunsATransformFromSource() throws Exception {
        write("com/example/PagesTransform.java", """
                package com.example;

                import io.puffgres.document.DocId;
                import io.puffgres.document.Document;
                import io.puffgres.event.RowEvent;
                import io.puffgres.transform.Action;
                import io.puffgres.transform.Transform;
                import io.puffgres.transform.TransformContext;
                import java.util.Map;

                public class PagesTransform implements Transform {
                    @Override
                    public Action apply(RowEvent event, DocId id, TransformContext ctx) {
                        String title = (String) event.after().get("title");
                        if (title.isEmpty()) {
                            throw new IllegalStateException("empty title");
                        }
                        return new Action.Upsert(new Document(id, Map.of("title", title.toUpperCase(),
                                "dims", ctx.embed(title).length)));
                    }
                }
                """);
        Transform t = JavaTransformCompiler.instantiate(compile(), "com.example.PagesTransform");
        assertThat(t.apply(EVENT, new DocId.Uint(7), new FakeEmbedder(3).asContext()))
                .isEqualTo(new Action.Upsert(new Document(new DocId.Uint(7), Map.of("title", "HELLO", "dims", 3))));
        RowEvent empty = new RowEvent(
                Op.INSERT,
                EVENT.relation(),
                null,
                Row.builder().put("title", "text", "").build(),
                101,
                1,
                Instant.EPOCH);
        assertThat(t.apply(empty, new DocId.Uint(8), null)).isInstanceOfSatisfying(Action.Error.class, e -> {
            assertThat(e.kind()).isEqualTo("transform");
            assertThat(e.message())
                    .isEqualTo("com.example.PagesTransform: java.lang.IllegalStateException: empty title");
            assertThat(e.detail()).contains("at com.example.PagesTransform.apply(PagesTransform.java:16)");
        });
    }

    @Test
    void reportsCompileErrorsByFileAndLine() throws Exception {
        write("Broken.java", """
                public class Broken {
                    int x = 1
                    String y = undefinedName;
                }
                """);
        assertThatThrownBy(this::compile)
                .isInstanceOfSatisfying(
                        TransformLoadException.class,
                        e -> assertThat(e.problems())
                                .containsExactly("transforms/Broken.java:2:14: error: ';' expected"));
    }

    @Test
    void reportsSemanticErrorsWithPositions() throws Exception {
        write("Typo.java", "public class Typo {\n    String y = undefinedName;\n}\n");
        assertThatThrownBy(this::compile)
                .isInstanceOfSatisfying(
                        TransformLoadException.class,
                        e -> assertThat(e.problems())
                                .containsExactly("transforms/Typo.java:2:16: error: cannot find symbol"));
    }

    @Test
    void rejectsAClassThatIsNotATransform() throws Exception {
        write("NotATransform.java", "public class NotATransform {}\n");
        ClassLoader loader = compile();
        assertThatThrownBy(() -> JavaTransformCompiler.instantiate(loader, "NotATransform"))
                .isInstanceOfSatisfying(
                        TransformLoadException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "class NotATransform does not implement io.puffgres.transform.Transform"));
        assertThatThrownBy(() -> JavaTransformCompiler.instantiate(loader, "Missing"))
                .isInstanceOfSatisfying(
                        TransformLoadException.class,
                        e -> assertThat(e.problems())
                                .containsExactly("class Missing not found among the compiled transforms"));
    }
}
