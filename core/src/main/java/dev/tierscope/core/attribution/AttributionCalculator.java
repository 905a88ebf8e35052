package dev.tierscope.core.attribution;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Tier attribution (DESIGN.md section 3): which of edge, mesh and model made a class's time to
 * first token regress, how much of the growth each tier carries, and the sub-signals that moved.
 *
 * <p>Method. The aggregator sums each component over the requests that violated the class's TTFT
 * threshold ("tail" requests) and over all decomposed requests. A tier's growth is the mean
 * component of a tail request in the range minus the mean component of a request in the baseline;
 * its share is its part of the summed growth, and the verdict is the tier with the largest share,
 * or none when TTFT p95 stayed within {@code 1 + margin} of the baseline. Without decomposed
 * requests (no client spans) growth falls back to the tiers' p95 deltas. Evidence compares the
 * sub-signals of tail requests in the range (client path, protocol fallback, retransmits, dominant
 * mesh role, queue share of model time) with the baseline's tail requests when there are enough of
 * them, else with all baseline requests, and reports those that moved, for the verdict's tier and
 * any tier carrying at least a fifth of the growth (none without a regression).
 *
 * <pre>{@code
 * Attribution a = new AttributionCalculator(reader, 0.10)
 *     .attribute("default", cls, from, to, from.minus(Duration.ofHours(1)), from);
 * a.verdict();   // Tier.EDGE, or null for none
 * }</pre>
 */
public final class AttributionCalculator {

  private static final Set<Metric> METRICS =
      EnumSet.of(Metric.TTFT, Metric.EDGE, Metric.MESH, Metric.MODEL, Metric.MODEL_QUEUE);

  private static final Set<Counter> COUNTERS =
      EnumSet.of(
          Counter.REQUESTS,
          Counter.TAIL_REQUESTS,
          Counter.DECOMPOSED,
          Counter.TAIL_DECOMPOSED,
          Counter.EDGE_MICROS,
          Counter.MESH_MICROS,
          Counter.MODEL_MICROS,
          Counter.QUEUE_MICROS,
          Counter.TAIL_EDGE_MICROS,
          Counter.TAIL_MESH_MICROS,
          Counter.TAIL_MODEL_MICROS,
          Counter.TAIL_QUEUE_MICROS,
          Counter.CLIENT_PATH,
          Counter.TAIL_CLIENT_PATH,
          Counter.PROTOCOL_FALLBACKS,
          Counter.TAIL_PROTOCOL_FALLBACKS,
          Counter.RETRANSMITS,
          Counter.TAIL_RETRANSMITS,
          Counter.MESH_DOMINANT,
          Counter.TAIL_MESH_DOMINANT);

  /** Baseline tail requests needed to compare tail with tail rather than with all requests. */
  static final long MIN_BASELINE_TAIL = 30;

  /** A tier other than the verdict's gets sub-signal evidence from this share of growth on. */
  static final double EXPLAINING_SHARE = 0.2;

  /** A share (of requests, of model time) moved when it changed by at least this. */
  static final double SHARE_MOVED = 0.10;

  private final WindowReader reader;
  private final double margin;

  /**
   * @param margin TTFT p95 must exceed the baseline's by more than this fraction (0.10: 10%) to
   *     count as a regression
   */
  public AttributionCalculator(WindowReader reader, double margin) {
    if (!(margin >= 0)) {
      throw new IllegalArgumentException("margin must be >= 0, was " + margin);
    }
    this.reader = reader;
    this.margin = margin;
  }

  public double margin() {
    return margin;
  }

  /** Attribution of [from, to) against [baselineFrom, baselineTo). */
  public Attribution attribute(
      String tenant,
      TrafficClass cls,
      Instant from,
      Instant to,
      Instant baselineFrom,
      Instant baselineTo) {
    Range base;
    Range cur;
    if (baselineTo.equals(from)) {
      List<Instant> b = List.of(baselineFrom, from, to);
      List<Map<Metric, Histogram>> h = reader.mergedPerInterval(tenant, cls.name(), METRICS, b);
      List<Map<CounterKey, Long>> c = reader.countersPerInterval(tenant, cls.name(), COUNTERS, b);
      base = new Range(h.get(0), c.get(0));
      cur = new Range(h.get(1), c.get(1));
    } else {
      base = read(tenant, cls, baselineFrom, baselineTo);
      cur = read(tenant, cls, from, to);
    }
    return attribute(cls, from, to, baselineFrom, baselineTo, base, cur);
  }

  private Range read(String tenant, TrafficClass cls, Instant from, Instant to) {
    List<Instant> b = List.of(from, to);
    return new Range(
        reader.mergedPerInterval(tenant, cls.name(), METRICS, b).get(0),
        reader.countersPerInterval(tenant, cls.name(), COUNTERS, b).get(0));
  }

  /** Merged windows of one range. */
  private record Range(Map<Metric, Histogram> h, Map<CounterKey, Long> c) {
    long count(Counter counter) {
      return c.getOrDefault(CounterKey.of(counter), 0L);
    }

    /** Per dimension of a dimensioned counter. */
    Map<String, Long> byDimension(Counter counter) {
      Map<String, Long> out = new TreeMap<>();
      c.forEach(
          (k, v) -> {
            if (k.counter() == counter) {
              out.merge(k.dimension(), v, Long::sum);
            }
          });
      return out;
    }

    long p95(Metric m) {
      Histogram x = h.get(m);
      return x == null || x.getTotalCount() == 0 ? 0 : x.getValueAtPercentile(95);
    }

    long values(Metric m) {
      Histogram x = h.get(m);
      return x == null ? 0 : x.getTotalCount();
    }
  }

  private Attribution attribute(
      TrafficClass cls,
      Instant from,
      Instant to,
      Instant baselineFrom,
      Instant baselineTo,
      Range base,
      Range cur) {
    long p95Base = base.p95(Metric.TTFT);
    long p95Cur = cur.p95(Metric.TTFT);
    boolean comparable = base.values(Metric.TTFT) > 0 && cur.values(Metric.TTFT) > 0;
    boolean regressed = comparable && p95Cur > p95Base * (1.0 + margin);

    Map<Tier, TierValues> tiers = new EnumMap<>(Tier.class);
    long tailDecomposed = cur.count(Counter.TAIL_DECOMPOSED);
    long baseDecomposed = base.count(Counter.DECOMPOSED);
    boolean decomposed = tailDecomposed > 0 && baseDecomposed > 0;
    double sum = 0;
    for (Tier t : Tier.values()) {
      long tierBase = base.p95(t.metric());
      long tierCur = cur.p95(t.metric());
      double growth;
      if (decomposed) {
        growth =
            (double) cur.count(t.tailMicros()) / tailDecomposed
                - (double) base.count(t.micros()) / baseDecomposed;
      } else {
        boolean both = base.values(t.metric()) > 0 && cur.values(t.metric()) > 0;
        growth = both ? tierCur - tierBase : 0;
      }
      growth = Math.max(0, growth);
      sum += growth;
      tiers.put(t, new TierValues(tierBase, tierCur, growth));
    }
    Map<Tier, Double> shares = new EnumMap<>(Tier.class);
    Map<Tier, Long> growth = new EnumMap<>(Tier.class);
    Tier top = null;
    for (Tier t : Tier.values()) {
      double g = tiers.get(t).growth;
      shares.put(t, sum > 0 ? g / sum : 0.0);
      growth.put(t, Math.round(g));
      if (sum > 0 && (top == null || g > tiers.get(top).growth)) {
        top = t;
      }
    }
    Tier verdict = regressed ? top : null;

    List<String> evidence = new ArrayList<>();
    if (!comparable) {
      evidence.add(
          base.values(Metric.TTFT) == 0
              ? "ttft: no requests in the baseline to compare with"
              : "ttft: no requests in the range");
    } else {
      evidence.add(
          "ttft: p95 "
              + ms(p95Cur)
              + " vs "
              + ms(p95Base)
              + " baseline"
              + (regressed
                  ? ""
                  : ", within the " + Math.round(margin * 100) + "% margin: no regression"));
    }
    if (regressed && top == null) {
      evidence.add("no component data (edge, mesh, model) to attribute the regression to");
    }
    List<Tier> order = new ArrayList<>(List.of(Tier.values()));
    order.sort(Comparator.comparingDouble((Tier t) -> -tiers.get(t).growth));
    for (Tier t : order) {
      TierValues v = tiers.get(t);
      boolean moved = v.current > v.baseline * (1.0 + margin) && cur.values(t.metric()) > 0;
      if (t == verdict || moved) {
        evidence.add(t.id() + ": p95 " + ms(v.current) + " vs " + ms(v.baseline) + " baseline");
      }
      // Sub-signals only where they explain a regression: tail requests differ from the average
      // request in every tier, so without one they describe selection, not change.
      if (verdict != null && (t == verdict || shares.get(t) >= EXPLAINING_SHARE)) {
        switch (t) {
          case EDGE -> edgeEvidence(base, cur, evidence);
          case MESH -> meshEvidence(base, cur, evidence);
          case MODEL -> modelEvidence(base, cur, evidence);
        }
      }
    }

    Map<Tier, Attribution.TierP95> p95 = new EnumMap<>(Tier.class);
    tiers.forEach((t, v) -> p95.put(t, new Attribution.TierP95(v.baseline, v.current)));
    return new Attribution(
        cls.name(),
        from,
        to,
        baselineFrom,
        baselineTo,
        verdict,
        shares,
        growth,
        p95Base,
        p95Cur,
        p95,
        cur.count(Counter.REQUESTS),
        cur.count(Counter.TAIL_REQUESTS),
        List.copyOf(evidence));
  }

  private record TierValues(long baseline, long current, double growth) {}

  private static void edgeEvidence(Range base, Range cur, List<String> evidence) {
    Map<String, Long> tailPaths = cur.byDimension(Counter.TAIL_CLIENT_PATH);
    long tail = total(tailPaths);
    if (tail == 0) {
      return;
    }
    Map<String, Long> baseTailPaths = base.byDimension(Counter.TAIL_CLIENT_PATH);
    boolean tailBaseline = total(baseTailPaths) >= MIN_BASELINE_TAIL;
    Map<String, Long> basePaths =
        tailBaseline ? baseTailPaths : base.byDimension(Counter.CLIENT_PATH);
    long baseTotal = total(basePaths);
    String of = tailBaseline ? "of slow requests" : "of requests";
    if (baseTotal > 0) {
      String best = null;
      double bestDiff = 0;
      for (Map.Entry<String, Long> e : tailPaths.entrySet()) {
        double diff =
            (double) e.getValue() / tail
                - (double) basePaths.getOrDefault(e.getKey(), 0L) / baseTotal;
        if (diff > bestDiff) {
          best = e.getKey();
          bestDiff = diff;
        }
      }
      if (best != null && bestDiff >= SHARE_MOVED) {
        evidence.add(
            "edge: "
                + best
                + " client path is "
                + pct((double) tailPaths.get(best) / tail)
                + " of slow requests vs "
                + pct((double) basePaths.getOrDefault(best, 0L) / baseTotal)
                + " "
                + of
                + " in baseline");
      }
    }
    long baseRef = Math.max(1, baseTotal);
    double fallbackNow = (double) cur.count(Counter.TAIL_PROTOCOL_FALLBACKS) / tail;
    double fallbackBase =
        (double)
                base.count(
                    tailBaseline ? Counter.TAIL_PROTOCOL_FALLBACKS : Counter.PROTOCOL_FALLBACKS)
            / baseRef;
    if (fallbackNow - fallbackBase >= 0.05 && fallbackNow >= 1.5 * fallbackBase) {
      evidence.add(
          "edge: protocol fallback in "
              + pct(fallbackNow)
              + " of slow requests vs "
              + pct(fallbackBase)
              + " "
              + of
              + " in baseline");
    }
    double retransmitsNow = (double) cur.count(Counter.TAIL_RETRANSMITS) / tail;
    double retransmitsBase =
        (double) base.count(tailBaseline ? Counter.TAIL_RETRANSMITS : Counter.RETRANSMITS)
            / baseRef;
    if (retransmitsNow - retransmitsBase >= 0.5 && retransmitsNow >= 1.5 * retransmitsBase) {
      evidence.add(
          String.format(
              Locale.ROOT,
              "edge: %.1f retransmits per slow request vs %.1f per %s in baseline",
              retransmitsNow,
              retransmitsBase,
              tailBaseline ? "slow request" : "request"));
    }
  }

  private static void meshEvidence(Range base, Range cur, List<String> evidence) {
    Map<String, Long> tailRoles = cur.byDimension(Counter.TAIL_MESH_DOMINANT);
    long tail = total(tailRoles);
    Map<String, Long> baseTailRoles = base.byDimension(Counter.TAIL_MESH_DOMINANT);
    boolean tailBaseline = total(baseTailRoles) >= MIN_BASELINE_TAIL;
    Map<String, Long> baseRoles =
        tailBaseline ? baseTailRoles : base.byDimension(Counter.MESH_DOMINANT);
    long baseTotal = total(baseRoles);
    if (tail == 0 || baseTotal == 0) {
      return;
    }
    String best = null;
    double bestDiff = 0;
    for (Map.Entry<String, Long> e : tailRoles.entrySet()) {
      if (e.getKey().equals("none") || e.getKey().isEmpty()) {
        continue;
      }
      double diff =
          (double) e.getValue() / tail
              - (double) baseRoles.getOrDefault(e.getKey(), 0L) / baseTotal;
      if (diff > bestDiff) {
        best = e.getKey();
        bestDiff = diff;
      }
    }
    if (best != null && bestDiff >= SHARE_MOVED) {
      evidence.add(
          "mesh: "
              + best
              + " dominates mesh time in "
              + pct((double) tailRoles.get(best) / tail)
              + " of slow requests vs "
              + pct((double) baseRoles.getOrDefault(best, 0L) / baseTotal)
              + (tailBaseline ? " of slow requests" : " of requests")
              + " in baseline");
    }
  }

  private static void modelEvidence(Range base, Range cur, List<String> evidence) {
    long tailModel = cur.count(Counter.TAIL_MODEL_MICROS);
    long baseModel = base.count(Counter.MODEL_MICROS);
    long tailDecomposed = cur.count(Counter.TAIL_DECOMPOSED);
    long baseDecomposed = base.count(Counter.DECOMPOSED);
    if (tailModel == 0 || baseModel == 0 || tailDecomposed == 0 || baseDecomposed == 0) {
      return;
    }
    double queueNow = (double) cur.count(Counter.TAIL_QUEUE_MICROS) / tailModel;
    double queueBase = (double) base.count(Counter.QUEUE_MICROS) / baseModel;
    if (queueNow - queueBase >= SHARE_MOVED) {
      evidence.add(
          "model: queue time is "
              + pct(queueNow)
              + " of model time in slow requests vs "
              + pct(queueBase)
              + " in baseline");
      return;
    }
    double prefillNow =
        (double) (tailModel - cur.count(Counter.TAIL_QUEUE_MICROS)) / tailDecomposed;
    double prefillBase = (double) (baseModel - base.count(Counter.QUEUE_MICROS)) / baseDecomposed;
    if (prefillNow >= 1.5 * prefillBase && prefillNow - prefillBase >= 50_000) {
      evidence.add(
          "model: prefill (model time less queue) "
              + ms(Math.round(prefillNow))
              + " per slow request vs "
              + ms(Math.round(prefillBase))
              + " per request in baseline");
    }
  }

  private static long total(Map<String, Long> m) {
    long n = 0;
    for (long v : m.values()) {
      n += v;
    }
    return n;
  }

  static String ms(long micros) {
    double ms = micros / 1000.0;
    return ms >= 10
        ? String.format(Locale.ROOT, "%.0f ms", ms)
        : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  static String pct(double fraction) {
    return Math.round(fraction * 100) + "%";
  }
}
