package dev.tierscope.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/** Ground truth computed from the generated requests, independently of the code under test. */
final class Truth {

  private Truth() {}

  /** The requests whose window starts in [from, to) (a request is in its start's window). */
  static List<Req> in(List<Req> all, Instant from, Instant to) {
    List<Req> out = new ArrayList<>();
    for (Req r : all) {
      Instant w = Instant.ofEpochMilli(r.windowStartMillis());
      if (!w.isBefore(from) && w.isBefore(to)) {
        out.add(r);
      }
    }
    return out;
  }

  static List<Long> values(List<Req> rs, Predicate<Req> has, ToLongFunction<Req> value) {
    List<Long> out = new ArrayList<>();
    for (Req r : rs) {
      if (has.test(r)) {
        out.add(value.applyAsLong(r));
      }
    }
    return out;
  }

  /** Nearest-rank percentile, the definition HdrHistogram uses; 100 is the maximum. */
  static long percentile(List<Long> values, double percentile) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** An HdrHistogram percentile at 2 significant digits: within 1% of the exact one. */
  static void assertPercentileMs(String what, double actualMs, List<Long> micros, double p) {
    double exactMs = percentile(micros, p) / 1000.0;
    assertThat(actualMs).as(what).isCloseTo(exactMs, within(exactMs * 0.01 + 0.001));
  }

  static long count(List<Req> rs, Predicate<Req> p) {
    return rs.stream().filter(p).count();
  }

  static long sum(List<Req> rs, ToLongFunction<Req> f) {
    return rs.stream().mapToLong(f).sum();
  }
}
