package dev.tierscope.api.alerting;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.alerting.*}: the burn-rate alert pairs of each class, the windows of {@code
 * /api/v1/budget}, {@code /api/v1/alerts} and the Prometheus burn-rate gauges.
 *
 * @param rules the alert pairs of every class without its own; empty: the SRE workbook's (page
 *     1h/5m above 14.4 and 6h/30m above 6, ticket 1d/2h above 3 and 3d/6h above 1)
 * @param classes per class name: {@code enabled} (alerts or not) and its own {@code rules}
 */
@ConfigurationProperties("tierscope.api.alerting")
public record AlertingProperties(List<Rule> rules, Map<String, ClassPolicy> classes) {

  /**
   * One multi-window pair, as in core's {@code AlertRule}.
   *
   * @param severity {@code page} or {@code ticket}
   * @param longWindow the long window, e.g. {@code 1h}
   * @param shortWindow the short window, e.g. {@code 5m}
   * @param threshold burn rate both windows must exceed
   */
  public record Rule(
      String severity, Duration longWindow, Duration shortWindow, double threshold) {}

  /**
   * @param enabled whether the class alerts (its gauges are exported either way)
   * @param rules its own alert pairs; empty: {@code tierscope.api.alerting.rules}
   */
  public record ClassPolicy(@DefaultValue("true") boolean enabled, List<Rule> rules) {}

  public AlertingProperties {
    rules = rules == null ? List.of() : List.copyOf(rules);
    classes = classes == null ? Map.of() : Map.copyOf(classes);
  }
}
