package io.puffgres.migration;

import io.puffgres.config.ProjectConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded, valid puffgres project: its settings and every migration in version order. Immutable.
 *
 * @param dir the project directory (holding puffgres.toml)
 */
public record Project(Path dir, ProjectConfig config, List<Migration> migrations) {

    public Project {
        migrations = List.copyOf(migrations);
    }

    /** The latest version of each mapping, in the order the mappings first appear. */
    public List<Migration> effectiveMappings() {
        return latestPerMapping(migrations);
    }

    /** The latest version of each mapping name among {@code migrations} (given in version order). */
    static List<Migration> latestPerMapping(List<Migration> migrations) {
        Map<String, Migration> latest = new LinkedHashMap<>();
        for (Migration m : migrations) {
            latest.put(m.mappingName(), m);
        }
        return new ArrayList<>(latest.values());
    }

    /** Where transform sources live: {@code <dir>/puffgres}. */
    public Path puffgresDir() {
        return dir.resolve("puffgres");
    }
}
