package dev.tierscope.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.classes.ClassRules;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code tierscope.aggregator.*} as Spring binds it: early completion's defaults and checks. */
class AggregatorPropertiesTest {

  private static AggregatorProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("tierscope.aggregator", AggregatorProperties.class);
  }

  @Test
  void earlyCompletionIsOffByDefaultAndOnWithAOneSecondSettleWhenEnabled() {
    AggregatorProperties p = bind(Map.of());
    assertThat(p.earlyCompletion().enabled()).isFalse();
    assertThat(p.assemblyConfig("standard_interactive", ClassRules.NONE).earlyCompletion())
        .isFalse();

    AggregatorProperties on = bind(Map.of("tierscope.aggregator.early-completion.enabled", "true"));
    assertThat(on.earlyCompletion().settle()).isEqualTo(Duration.ofSeconds(1));
    AssemblyConfig config = on.assemblyConfig("standard_interactive", ClassRules.NONE);
    assertThat(config.earlyCompletion()).isTrue();
    assertThat(config.earlySettle()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.grace()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theSwitchTurnsItOffAndTheSettleIsRead() {
    AggregatorProperties off =
        bind(Map.of("tierscope.aggregator.early-completion.enabled", "false"));
    AggregatorProperties settle =
        bind(
            Map.of(
                "tierscope.aggregator.early-completion.enabled", "true",
                "tierscope.aggregator.early-completion.settle", "500ms"));

    assertThat(off.assemblyConfig("standard_interactive", ClassRules.NONE).earlyCompletion())
        .isFalse();
    assertThat(settle.assemblyConfig("standard_interactive", ClassRules.NONE).earlySettle())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aSettleNotShorterThanTheGraceStopsStartUpNamingTheProperty() {
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "tierscope.aggregator.grace", "2s",
                        "tierscope.aggregator.early-completion.enabled", "true",
                        "tierscope.aggregator.early-completion.settle", "2s")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("tierscope.aggregator.early-completion.settle must be shorter than")
        .hasMessageContaining("tierscope.aggregator.grace");
    assertThatThrownBy(() -> bind(Map.of("tierscope.aggregator.early-completion.settle", "-1s")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("tierscope.aggregator.early-completion.settle must be >= 0");
  }

  @Test
  void aLongSettleIsAcceptedWhenEarlyCompletionIsOff() {
    AggregatorProperties p =
        bind(
            Map.of(
                "tierscope.aggregator.early-completion.enabled", "false",
                "tierscope.aggregator.early-completion.settle", "10s"));

    assertThat(p.assemblyConfig("standard_interactive", ClassRules.NONE).earlyCompletion())
        .isFalse();
  }
}
