package dev.tierscope.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Core's shape (STYLE.md): plain Java on the JDK, HdrHistogram and the conventions only; packages
 * by feature that point one way; the store seams below the math that reads through them.
 */
class CoreArchitectureTest {

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tierscope.core");

  @Test
  void packagesFormNoCycle() {
    slices().matching("dev.tierscope.core.(*)..").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void coreDependsOnTheJdkHdrHistogramAndTheConventionsOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..", "dev.tierscope.core..", "dev.tierscope.conventions..", "org.HdrHistogram..")
        .check(CORE);
  }

  @Test
  void storeSeamsKnowNothingOfTheMathAboveThem() {
    noClasses()
        .that()
        .resideInAPackage("dev.tierscope.core.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.tierscope.core.query..",
            "dev.tierscope.core.slo..",
            "dev.tierscope.core.budget..",
            "dev.tierscope.core.attribution..",
            "dev.tierscope.core.classes..")
        .check(CORE);
  }
}
