package io.puffgres.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.transform.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTransformsTest {

    private static final Path FULL = Path.of("src/test/resources/projects/valid/full");

    /** The full example project in {@code dir}, its Java transform a real one. */
    private static Project project(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(FULL)) {
            for (Path from : files.toList()) {
                Path to = dir.resolve(FULL.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        Files.writeString(dir.resolve("puffgres/transforms/MemberTransform.java"), """
                package com.example;

                import io.puffgres.document.DocId;
                import io.puffgres.event.RowEvent;
                import io.puffgres.transform.Action;
                import io.puffgres.transform.Transform;
                import io.puffgres.transform.TransformContext;

                public class MemberTransform implements Transform {
                    @Override
                    public Action apply(RowEvent event, DocId id, TransformContext ctx) {
                        return new Action.Skip("test");
                    }
                }
                """);
        return ProjectLoader.load(dir, Map.of());
    }

    private static Migration mapping(Project project, String name) {
        return project.effectiveMappings().stream()
                .filter(m -> m.mappingName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void compilesJavaIntoATemporaryDirectoryMadeOnFirstUseAndDeletedOnClose(@TempDir Path dir) throws Exception {
        Project project = project(dir);
        Path classes;
        try (MigrationTransforms transforms = new MigrationTransforms(project)) {
            try (Transform js = transforms.create(mapping(project, "pages_public"));
                    Transform identity = transforms.create(mapping(project, "orders"))) {
                assertThat(transforms.classesDir())
                        .as("no Java transform, no directory")
                        .isEmpty();
            }
            try (Transform java = transforms.create(mapping(project, "members"))) {
                classes = transforms.classesDir().orElseThrow();
                assertThat(classes.getFileName().toString()).startsWith(MigrationTransforms.TEMP_PREFIX);
                assertThat(classes.resolve("com/example/MemberTransform.class")).isRegularFile();
            }
        }
        assertThat(classes).doesNotExist();
    }

    @Test
    void leavesADirectoryTheCallerGaveAlone(@TempDir Path dir) throws Exception {
        Project project = project(dir.resolve("project"));
        Path classes = dir.resolve("classes");
        try (MigrationTransforms transforms = new MigrationTransforms(project, classes);
                Transform java = transforms.create(mapping(project, "members"))) {
            assertThat(transforms.classesDir()).contains(classes);
        }
        assertThat(classes.resolve("com/example/MemberTransform.class")).isRegularFile();
    }
}
