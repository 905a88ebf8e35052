package dev.tierscope.api.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.classes.TrafficClasses;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-class alert pairs from configuration, and the start-up errors naming the property. */
class AlertPoliciesTest {

  private static final TrafficClasses CLASSES = TrafficClasses.defaults();
  private static final Duration PERIOD = Duration.ofDays(30);

  private static AlertPolicies policies(
      List<AlertingProperties.Rule> rules, Map<String, AlertingProperties.ClassPolicy> classes) {
    return new AlertPolicies(
        new AlertingProperties(
            rules,
            classes,
            new AlertingProperties.Alertmanager(List.of(), Duration.ofSeconds(10)),
            List.of(),
            Duration.ofSeconds(15),
            Duration.ofMinutes(1),
            Duration.ofMinutes(15),
            URI.create("http://localhost:8080"),
            "",
            "",
            ""),
        CLASSES,
        PERIOD);
  }

  @Test
  void withoutConfigurationEveryClassAlertsWithTheWorkbookPairs() {
    AlertPolicies p = policies(null, null);
    for (String c : List.of("interactive_premium", "standard_interactive", "deferred_batch")) {
      assertThat(p.of(c).enabled()).isTrue();
      assertThat(p.of(c).rules()).isEqualTo(AlertRule.WORKBOOK);
    }
  }

  @Test
  void aClassHasItsOwnPairsOrInheritsTheConfiguredDefaultOnesAndCanBeDisabled() {
    AlertingProperties.Rule fast =
        new AlertingProperties.Rule("page", Duration.ofMinutes(2), Duration.ofSeconds(30), 2);
    AlertingProperties.Rule slow =
        new AlertingProperties.Rule("ticket", Duration.ofHours(6), Duration.ofMinutes(30), 1);
    AlertPolicies p =
        policies(
            List.of(slow),
            Map.of(
                "interactive_premium", new AlertingProperties.ClassPolicy(true, List.of(fast)),
                "deferred_batch", new AlertingProperties.ClassPolicy(false, null)));
    assertThat(p.of("interactive_premium").rules())
        .containsExactly(new AlertRule("page", Duration.ofMinutes(2), Duration.ofSeconds(30), 2));
    assertThat(p.of("standard_interactive").rules())
        .containsExactly(new AlertRule("ticket", Duration.ofHours(6), Duration.ofMinutes(30), 1));
    assertThat(p.of("deferred_batch").enabled()).isFalse();
  }

  @Test
  void badConfigurationStopsStartUpNamingTheProperty() {
    assertThatThrownBy(
            () -> policies(null, Map.of("gold", new AlertingProperties.ClassPolicy(true, null))))
        .hasMessageContaining("tierscope.api.alerting.classes.gold names no configured class");
    assertThatThrownBy(
            () ->
                policies(
                    List.of(
                        new AlertingProperties.Rule(
                            "email", Duration.ofHours(1), Duration.ofMinutes(5), 14.4)),
                    null))
        .hasMessageContaining("tierscope.api.alerting.rules[0]")
        .hasMessageContaining("severity");
    assertThatThrownBy(
            () ->
                policies(
                    null,
                    Map.of(
                        "deferred_batch",
                        new AlertingProperties.ClassPolicy(
                            true,
                            List.of(
                                new AlertingProperties.Rule(
                                    "page", Duration.ofDays(31), Duration.ofHours(1), 2))))))
        .hasMessageContaining("tierscope.api.alerting.classes.deferred_batch.rules[0]")
        .hasMessageContaining("shorter than the period");
    assertThatThrownBy(
            () ->
                policies(
                    List.of(
                        new AlertingProperties.Rule(
                            "page", Duration.ofMinutes(5), Duration.ofHours(1), 2)),
                    null))
        .hasMessageContaining("shortWindow < longWindow");
  }
}
