package io.puffgres.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules the code's layout keeps (see docs/architecture.md), built here so that {@link ArchitectureTest} runs
 * them over puffgres and {@link ArchitectureRulesTest} over fixtures that break them.
 */
final class ArchitectureRules {

    /** Libraries only tests may use. */
    static final String[] TEST_LIBRARIES = {"org.junit..", "org.assertj..", "org.awaitility.."};

    private ArchitectureRules() {}

    /**
     * No cycle among the packages under {@code root}; every package is a slice of its own, sub-packages included, so
     * {@code cli.generate} may use {@code cli} but {@code cli} may not use it back.
     */
    static ArchRule freeOfPackageCycles(String root) {
        return slices().matching(root + ".(**)")
                .namingSlices(root + ".$1")
                .should()
                .beFreeOfCycles()
                .because("a package cycle ties the packages into one: none can be read, tested or moved alone");
    }

    /** For each module but the top one: its classes depend on no class of a module above it. */
    static List<ArchRule> downwardOnly(ModuleMap modules) {
        List<ArchRule> rules = new ArrayList<>();
        for (String module : modules.modules()) {
            List<String> above = modules.above(module);
            if (!above.isEmpty()) {
                rules.add(noClasses()
                        .that(modules.in(List.of(module)))
                        .should()
                        .dependOnClassesThat(modules.in(above))
                        .because("modules depend only on the modules below them"));
            }
        }
        return rules;
    }

    /** Main code of {@code modules} uses no test library. */
    static ArchRule noTestLibraries(ModuleMap modules, List<String> shipped) {
        return noClasses()
                .that(modules.in(shipped))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TEST_LIBRARIES)
                .because("JUnit and its helpers are test dependencies; shipped code cannot load them");
    }

    /** Classes of {@code modules} use no Flink class. */
    static ArchRule noFlink(ModuleMap modules, List<String> flinkFree) {
        return noClasses()
                .that(modules.in(flinkFree))
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.flink..")
                .because("the mapping and the turbopuffer client run outside Flink too (validate, dlq retry, verify)");
    }
}
