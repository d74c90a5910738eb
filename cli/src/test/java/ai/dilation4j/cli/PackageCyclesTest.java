package ai.dilation4j.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The floor plan stays acyclic: no package of any module depends, directly or through others, on a package that
 * depends back on it. Maven already refuses cycles between modules; this covers the packages within and across
 * them, on the production classes of every module (the cli sees them all).
 */
class PackageCyclesTest {

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // the modules' test jars
            .importPackages("ai.dilation4j");

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("ai.dilation4j.(**)").should().beFreeOfCycles().check(PRODUCTION);
    }

    @Test
    void theProductionClassesOfEveryModuleAreImported() {
        for (String module : List.of("runtime", "converter", "models", "train", "server", "cli")) {
            assertThat(PRODUCTION.containPackage("ai.dilation4j." + module)).as(module).isTrue();
        }
        assertThat(PRODUCTION.stream().map(JavaClass::getSimpleName)).noneMatch(name -> name.endsWith("Test"));
    }

    @Test
    void theRuntimeNeedsNoneOfTheModulesBuiltOnIt() {
        noClasses()
                .that().resideInAPackage("ai.dilation4j.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.dilation4j.converter..",
                        "ai.dilation4j.models..", "ai.dilation4j.train..", "ai.dilation4j.server..", "ai.dilation4j.cli..")
                .check(PRODUCTION);
    }
}
