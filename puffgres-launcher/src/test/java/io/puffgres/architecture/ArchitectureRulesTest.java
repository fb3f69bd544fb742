package io.puffgres.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import io.puffgres.architecture.fixture.left.Left;
import io.puffgres.architecture.fixture.left.Outer;
import io.puffgres.architecture.fixture.left.inner.Inner;
import io.puffgres.architecture.fixture.right.Right;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link ArchitectureTest} fail when they should: run over two fixture classes in two packages that
 * import each other, they report the cycle and the upward import, naming the classes.
 */
class ArchitectureRulesTest {

    private static final String FIXTURE = "io.puffgres.architecture.fixture";
    private static final JavaClasses FIXTURES = new ClassFileImporter().importPackages(FIXTURE);

    @Test
    void reportsACycleBetweenTwoPackagesNamingBothClasses() {
        EvaluationResult result = ArchitectureRules.freeOfPackageCycles(FIXTURE).evaluate(FIXTURES);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString())
                .contains("Cycle detected: " + FIXTURE + ".left -> ")
                .contains(FIXTURE + ".right -> ")
                .contains(Left.class.getName())
                .contains(Right.class.getName());
    }

    @Test
    void reportsACycleBetweenAPackageAndItsSubPackage() {
        EvaluationResult result = ArchitectureRules.freeOfPackageCycles(FIXTURE).evaluate(FIXTURES);
        assertThat(result.getFailureReport().toString())
                .contains(FIXTURE + ".left.inner -> ")
                .contains(Outer.class.getName())
                .contains(Inner.class.getName());
    }

    @Test
    void reportsAClassThatDependsOnAModuleAboveIt() {
        LinkedHashMap<String, Set<String>> layers = new LinkedHashMap<>();
        layers.put("lower", Set.of("io/puffgres/architecture/fixture/left/Left.java"));
        layers.put("upper", Set.of("io/puffgres/architecture/fixture/right/Right.java"));
        ModuleMap modules = new ModuleMap(layers);
        List<EvaluationResult> results = ArchitectureRules.downwardOnly(modules).stream()
                .map(rule -> rule.evaluate(FIXTURES))
                .toList();
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.hasViolation()).isTrue();
            assertThat(result.getFailureReport().toString())
                    .contains("are in lower (" + FIXTURE + ".left)")
                    .contains("Method <" + Left.class.getName() + ".next(int)> calls method <" + Right.class.getName()
                            + ".next(int)>");
        });
    }

    @Test
    void passesCodeWithoutACycle() {
        JavaClasses leftOnly = FIXTURES.that(
                DescribedPredicate.describe("in left", c -> c.getSimpleName().equals("Left")));
        assertThat(ArchitectureRules.freeOfPackageCycles(FIXTURE)
                        .allowEmptyShould(true)
                        .evaluate(leftOnly)
                        .hasViolation())
                .isFalse();
    }
}
