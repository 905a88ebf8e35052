package dev.tierscope.api.prometheus;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.prometheus.*}: the SLI scrape endpoint {@code GET /api/v1/metrics}.
 *
 * @param latencyBuckets bucket edges of TTFT and its components; each class's TTFT threshold is
 *     added to its own series
 * @param toolchainBuckets bucket edges of tool-chain latency; each class's threshold is added
 * @param budgetGauges whether a scrape also evaluates burn rates and error budgets (one budget
 *     evaluation per tenant and class, the cost of {@code GET /api/v1/budget})
 */
@ConfigurationProperties("tierscope.api.prometheus")
public record PrometheusProperties(
    @DefaultValue({
          "50ms", "100ms", "200ms", "300ms", "500ms", "800ms", "1s", "1500ms", "2s", "3s", "5s",
          "10s", "30s", "60s"
        })
        List<Duration> latencyBuckets,
    @DefaultValue({"100ms", "250ms", "500ms", "1s", "2s", "3s", "6s", "10s", "30s", "60s", "120s"})
        List<Duration> toolchainBuckets,
    @DefaultValue("true") boolean budgetGauges) {

  public PrometheusProperties {
    check(latencyBuckets, "latency-buckets");
    check(toolchainBuckets, "toolchain-buckets");
    latencyBuckets = List.copyOf(latencyBuckets);
    toolchainBuckets = List.copyOf(toolchainBuckets);
  }

  private static void check(List<Duration> edges, String name) {
    if (edges == null || edges.isEmpty()) {
      throw new IllegalStateException("tierscope.api.prometheus." + name + " must not be empty");
    }
    for (int i = 0; i < edges.size(); i++) {
      Duration d = edges.get(i);
      if (d.isNegative() || d.isZero() || d.toNanos() % 1_000 != 0) {
        throw new IllegalStateException(
            "tierscope.api.prometheus."
                + name
                + " must hold positive whole microseconds, was "
                + d);
      }
      if (i > 0 && d.compareTo(edges.get(i - 1)) <= 0) {
        throw new IllegalStateException(
            "tierscope.api.prometheus." + name + " must increase, was " + edges);
      }
    }
  }
}
