package dev.tierscope.core.classes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The closed set of classes, its defaults, and how reported values map onto it. */
class TrafficClassesTest {

  private static ClassObjectives objectives() {
    return new ClassObjectives(
        Duration.ofMillis(800), 0.95, 0.005, Duration.ofSeconds(3), 0.95, 0.02);
  }

  private static TrafficClass cls(String name) {
    return new TrafficClass(name, objectives());
  }

  @Test
  void defaultsAreTheThreeClassesOfTheDesignInOrder() {
    TrafficClasses classes = TrafficClasses.defaults();

    assertThat(classes.all())
        .extracting(TrafficClass::name)
        .containsExactly("interactive_premium", "standard_interactive", "deferred_batch");
    assertThat(classes.fallback()).isEqualTo("standard_interactive");
  }

  @Test
  void defaultObjectivesMatchTheDesignTable() {
    TrafficClasses classes = TrafficClasses.defaults();

    assertThat(classes.get("interactive_premium").objectives())
        .isEqualTo(
            new ClassObjectives(
                Duration.ofMillis(800), 0.95, 0.005, Duration.ofSeconds(3), 0.95, 0.02));
    assertThat(classes.get("standard_interactive").objectives())
        .isEqualTo(
            new ClassObjectives(
                Duration.ofMillis(1_500), 0.95, 0.01, Duration.ofSeconds(6), 0.95, 0.05));
    assertThat(classes.get("deferred_batch").objectives())
        .isEqualTo(
            new ClassObjectives(
                Duration.ofSeconds(30), 0.95, 0.02, Duration.ofSeconds(60), 0.95, 0.10));
  }

  @Test
  void thresholdsAreAvailableInMicroseconds() {
    ClassObjectives premium = TrafficClasses.defaults().get("interactive_premium").objectives();

    assertThat(premium.ttftThresholdMicros()).isEqualTo(800_000);
    assertThat(premium.toolchainThresholdMicros()).isEqualTo(3_000_000);
  }

  @Test
  void resolvesAConfiguredClassToItself() {
    assertThat(TrafficClasses.defaults().resolve("deferred_batch"))
        .isEqualTo(new TrafficClasses.Resolution("deferred_batch", false));
  }

  @Test
  void resolvesAnAliasToItsClassAsKnown() {
    TrafficClasses classes =
        new TrafficClasses(
            TrafficClasses.defaultClasses(),
            Map.of("premium", "interactive_premium"),
            "standard_interactive");

    assertThat(classes.resolve("premium"))
        .isEqualTo(new TrafficClasses.Resolution("interactive_premium", false));
    assertThat(classes.contains("premium")).as("an alias is not a class name").isFalse();
  }

  @Test
  void resolvesAnUnknownValueToTheFallbackAndFlagsIt() {
    assertThat(TrafficClasses.defaults().resolve("premium-typo"))
        .isEqualTo(new TrafficClasses.Resolution("standard_interactive", true));
    assertThat(TrafficClasses.defaults().resolve("Interactive_Premium"))
        .as("matching is exact")
        .isEqualTo(new TrafficClasses.Resolution("standard_interactive", true));
  }

  @Test
  void resolvesAnAbsentValueToTheFallbackWithoutFlaggingIt() {
    assertThat(TrafficClasses.defaults().resolve(null))
        .isEqualTo(new TrafficClasses.Resolution("standard_interactive", false));
    assertThat(TrafficClasses.defaults().resolve(""))
        .isEqualTo(new TrafficClasses.Resolution("standard_interactive", false));
  }

  @Test
  void containsAndGetKnowOnlyConfiguredClasses() {
    TrafficClasses classes = TrafficClasses.defaults();

    assertThat(classes.contains("deferred_batch")).isTrue();
    assertThat(classes.contains("gold")).isFalse();
    assertThat(classes.contains(null)).isFalse();
    assertThat(classes.get("gold")).isNull();
  }

  @Test
  void classListCannotBeChangedFromOutside() {
    List<TrafficClass> all = TrafficClasses.defaults().all();

    assertThatThrownBy(() -> all.add(cls("gold")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsAClassConfiguredTwice() {
    assertThatThrownBy(
            () ->
                new TrafficClasses(List.of(cls("gold"), cls("silver"), cls("gold")), null, "gold"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traffic class gold is configured twice");
  }

  @Test
  void rejectsAFallbackOutsideTheSet() {
    assertThatThrownBy(
            () -> new TrafficClasses(List.of(cls("gold"), cls("silver")), Map.of(), "bronze"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fallback class 'bronze' is not one of the configured classes [gold, silver]");
  }

  @Test
  void rejectsAnAliasToAnUnknownClass() {
    assertThatThrownBy(
            () -> new TrafficClasses(List.of(cls("gold")), Map.of("premium", "platinum"), "gold"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("class alias 'premium' points to unknown class 'platinum'");
  }

  @Test
  void rejectsAnEmptySet() {
    assertThatThrownBy(() -> new TrafficClasses(List.of(), Map.of(), "gold"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at least one traffic class must be configured");
    assertThatThrownBy(() -> new TrafficClasses(null, Map.of(), "gold"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at least one traffic class must be configured");
  }

  @Test
  void rejectsAClassNameThatIsNoLowercaseIdentifier() {
    for (String bad : new String[] {"Premium", "1st", "", "gold-tier", "a".repeat(64)}) {
      assertThatThrownBy(() -> cls(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("traffic class name must match [a-z][a-z0-9_]{0,62}, was '" + bad + "'");
    }
    assertThat(cls("a".repeat(63)).name()).hasSize(63);
  }

  @Test
  void rejectsAClassWithoutObjectives() {
    assertThatThrownBy(() -> new TrafficClass("gold", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traffic class gold needs objectives");
  }
}
