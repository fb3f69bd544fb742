package io.puffgres.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout of the code, checked over the compiled classes of every shipped module (this module's tests see them
 * all): no package cycle, modules import only downward, no test library in main code, no Flink below the job. A
 * failure names the rule, the cycle or the offending import, and the classes with file and line. Run it from the
 * reactor ({@code mvn -pl puffgres-launcher -am verify -Dtest=ArchitectureTest}), so the other modules' classes are
 * this checkout's, not an older build's.
 */
class ArchitectureTest {

    /** The shipped modules, lowest layer first; each may depend on those before it only. */
    static final List<String> LAYERS = List.of(
            "puffgres-mapping", "puffgres-turbopuffer", "puffgres-metrics", "puffgres-flink-job", "puffgres-launcher");

    private static ModuleMap modules;
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        modules = ModuleMap.read(ModuleMap.repositoryRoot(), LAYERS);
        classes = new ClassFileImporter().importPackages("io.puffgres").that(modules.in(LAYERS));
    }

    @Test
    void importsTheClassesOfEveryModule() {
        for (String module : LAYERS) {
            assertThat(classes.stream()
                            .filter(c -> modules.moduleOf(c).orElse("").equals(module)))
                    .as("classes of " + module + " on the test classpath")
                    .isNotEmpty();
        }
    }

    @Test
    void packagesHaveNoCycles() {
        ArchitectureRules.freeOfPackageCycles("io.puffgres").check(classes);
    }

    @Test
    void modulesDependOnlyOnModulesBelow() {
        checkAll(ArchitectureRules.downwardOnly(modules));
    }

    @Test
    void mainCodeUsesNoTestLibrary() {
        ArchitectureRules.noTestLibraries(modules, LAYERS).check(classes);
    }

    @Test
    void mappingAndTurbopufferUseNoFlink() {
        ArchitectureRules.noFlink(modules, List.of("puffgres-mapping", "puffgres-turbopuffer"))
                .check(classes);
    }

    /** Every rule's violations together, rather than only the first rule's. */
    private static void checkAll(List<ArchRule> rules) {
        StringBuilder failures = new StringBuilder();
        for (ArchRule rule : rules) {
            EvaluationResult result = rule.evaluate(classes);
            if (result.hasViolation()) {
                failures.append(result.getFailureReport()).append('\n');
            }
        }
        assertThat(failures.toString()).as("layering violations").isEmpty();
    }
}
