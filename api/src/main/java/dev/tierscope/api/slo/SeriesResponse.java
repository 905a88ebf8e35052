package dev.tierscope.api.slo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.api.web.Durations;
import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * JSON of {@code GET /api/v1/slo/series}.
 *
 * @param unit {@code ms} for latency percentiles, {@code calls} for the fan-out's percentiles and
 *     mean (calls per request), {@code count}, or {@code ratio} (good ratio of a latency SLI,
 *     interruption rate, fallback ratio, missToFallback's ratio and budget)
 * @param step step length, e.g. {@code 5m}
 * @param points one per step; {@code value} is null when the step has no data for the statistic
 * @param breakdown the dimension asked for with {@code breakdown=} or {@code filter=}, absent
 *     otherwise
 * @param entries with a breakdown, one series per value that has requests in the range (only the
 *     filtered value with a filter), sorted by value; absent otherwise
 */
record SeriesResponse(
    String tenant,
    @JsonProperty("class") String trafficClass,
    String sli,
    String stat,
    String unit,
    Instant from,
    Instant to,
    String step,
    List<Point> points,
    @JsonInclude(JsonInclude.Include.NON_NULL) String breakdown,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<Entry> entries) {

  /** The series of one value of the breakdown dimension, with the same steps. */
  public record Entry(String value, List<Point> points) {}

  /**
   * @param t step start
   * @param value the statistic, null without data
   */
  public record Point(Instant t, Double value) {}

  static SeriesResponse of(
      String tenant,
      String cls,
      Signal signal,
      Signal.Stat stat,
      Instant from,
      Instant to,
      Duration step,
      List<SeriesCalculator.Point> points) {
    return of(tenant, cls, signal, stat, from, to, step, points, null, null);
  }

  static SeriesResponse of(
      String tenant,
      String cls,
      Signal signal,
      Signal.Stat stat,
      Instant from,
      Instant to,
      Duration step,
      List<SeriesCalculator.Point> points,
      String breakdown,
      Map<String, List<SeriesCalculator.Point>> byValue) {
    boolean percentile =
        switch (stat) {
          case P50, P90, P95, P99, MAX -> true;
          default -> false;
        };
    boolean latency = percentile && signal.latency();
    String unit =
        latency
            ? "ms"
            : stat == Signal.Stat.COUNT
                ? "count"
                : percentile || stat == Signal.Stat.MEAN ? "calls" : "ratio";
    return new SeriesResponse(
        tenant,
        cls,
        signal.id(),
        stat.id(),
        unit,
        from,
        to,
        Durations.format(step),
        points(points, latency),
        breakdown,
        byValue == null
            ? null
            : byValue.entrySet().stream()
                .map(e -> new Entry(e.getKey(), points(e.getValue(), latency)))
                .toList());
  }

  private static List<Point> points(List<SeriesCalculator.Point> points, boolean latency) {
    return points.stream()
        .map(p -> new Point(p.start(), latency ? ms(p.value()) : p.value()))
        .toList();
  }

  private static Double ms(Double micros) {
    return micros == null ? null : micros / 1000.0;
  }
}
