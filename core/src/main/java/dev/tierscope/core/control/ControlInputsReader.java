package dev.tierscope.core.control;

import dev.tierscope.core.attribution.Attribution;
import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.query.LatencyStats;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Reads a tenant's {@link ControlInputs} from the raw windows: per class, TTFT p95 and burn rate
 * against the threshold over the fast window, the model queue's share of the slow requests' TTFT,
 * and, for a class in distress whose queue does not already name the model tier, the attribution
 * verdict of the fast window against the baseline window before it; for the tenant, the request
 * rate over the load window and the baseline window.
 *
 * <p>Why these windows: a surge saturates the model tier within seconds, so the decisions read the
 * last few 10 s windows (the fast window, 30 s by default), not the hour-long windows of burn-rate
 * alerts. The fast window ends with the window that holds now; the load window ends where the fast
 * window starts, so its requests have mostly completed and its rate is not biased low.
 *
 * <p>Two reads per class (one for histograms, one for counters), plus an attribution only for a
 * class in distress.
 */
public final class ControlInputsReader {

  /** Slow requests needed to take the queue share from them rather than from all requests. */
  static final long MIN_TAIL = 5;

  private static final Set<Metric> METRICS = EnumSet.of(Metric.TTFT, Metric.MODEL_QUEUE);
  private static final Set<Counter> COUNTERS =
      EnumSet.of(
          Counter.REQUESTS,
          Counter.DECOMPOSED,
          Counter.EDGE_MICROS,
          Counter.MESH_MICROS,
          Counter.MODEL_MICROS,
          Counter.QUEUE_MICROS,
          Counter.TAIL_DECOMPOSED,
          Counter.TAIL_EDGE_MICROS,
          Counter.TAIL_MESH_MICROS,
          Counter.TAIL_MODEL_MICROS,
          Counter.TAIL_QUEUE_MICROS);

  private final WindowReader reader;
  private final AttributionCalculator attribution;
  private final TrafficClasses classes;
  private final ControlConfig config;
  private final long windowMillis;

  /**
   * @param window length of the stored raw windows (the aggregator's, 10 s by default)
   */
  public ControlInputsReader(
      WindowReader reader,
      AttributionCalculator attribution,
      TrafficClasses classes,
      ControlConfig config,
      Duration window) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    for (Duration d : List.of(config.fastWindow(), config.loadWindow(), config.baselineWindow())) {
      if (d.toMillis() % window.toMillis() != 0) {
        throw new IllegalArgumentException(
            "control settings: the fast, load and baseline windows must be whole multiples of the"
                + " "
                + window.toSeconds()
                + " s window, "
                + d
                + " is not");
      }
    }
    if (config.loadWindow().compareTo(config.baselineWindow()) > 0) {
      throw new IllegalArgumentException(
          "control settings: the load window ("
              + config.loadWindow()
              + ") must not exceed the baseline window ("
              + config.baselineWindow()
              + ")");
    }
    this.reader = reader;
    this.attribution = attribution;
    this.classes = classes;
    this.config = config;
    this.windowMillis = window.toMillis();
  }

  /** The inputs of {@code tenant} at {@code now}. */
  public ControlInputs read(String tenant, Instant now) {
    long end = Math.floorDiv(now.toEpochMilli(), windowMillis) * windowMillis + windowMillis;
    Instant to = Instant.ofEpochMilli(end);
    Instant from = to.minus(config.fastWindow());
    // One interval per raw window of the baseline window, then the fast window: the rate before a
    // restriction is taken over the windows that have requests (a tenant younger than the baseline
    // window is not diluted), the current rate over the last windows before the fast window.
    int baselineWindows = (int) (config.baselineWindow().toMillis() / windowMillis);
    int loadWindows = (int) (config.loadWindow().toMillis() / windowMillis);
    List<Instant> bounds = new ArrayList<>(baselineWindows + 8);
    for (int i = baselineWindows; i >= 0; i--) {
      bounds.add(from.minusMillis(i * windowMillis));
    }
    int fastWindows = (int) (config.fastWindow().toMillis() / windowMillis);
    for (int i = 1; i <= fastWindows; i++) {
      bounds.add(from.plusMillis(i * windowMillis));
    }
    List<Instant> fastBounds = bounds.subList(baselineWindows, bounds.size());

    Map<String, ClassReading> readings = new LinkedHashMap<>();
    long[] perWindow = new long[baselineWindows];
    for (TrafficClass tc : classes.all()) {
      String c = tc.name();
      List<Map<CounterKey, Long>> counters =
          reader.countersPerInterval(tenant, c, COUNTERS, bounds);
      for (int i = 0; i < baselineWindows; i++) {
        perWindow[i] += get(counters.get(i), Counter.REQUESTS);
      }
      List<Map<Metric, Histogram>> histograms =
          reader.mergedPerInterval(tenant, c, METRICS, fastBounds);
      Map<CounterKey, Long> fast = new java.util.HashMap<>();
      Histogram ttft = new Histogram(2);
      Histogram queue = new Histogram(2);
      double peakBurn = 0;
      double peakShare = 0;
      for (int w = 0; w < fastWindows; w++) {
        Map<CounterKey, Long> wc = counters.get(baselineWindows + w);
        wc.forEach((k, v) -> fast.merge(k, v, Long::sum));
        Histogram t = histograms.get(w).get(Metric.TTFT);
        Histogram q = histograms.get(w).get(Metric.MODEL_QUEUE);
        if (t != null && t.getTotalCount() > 0) {
          ttft.add(t);
          if (t.getTotalCount() >= config.minRequests()) {
            double b = burn(tc, t);
            if (b > peakBurn) {
              peakBurn = b;
              long p95 = t.getValueAtPercentile(95);
              peakShare = queueShare(wc, p95, q);
            }
          }
        }
        if (q != null && q.getTotalCount() > 0) {
          queue.add(q);
        }
      }
      ClassReading r = reading(tc, fast, ttft, queue, peakBurn, peakShare);
      if (r.ttftCount() >= config.minRequests()
          && r.burnRate() >= config.triggerBurnRate()
          && !modelQueue(r, config)) {
        r = r.withVerdict(verdict(tenant, tc, from, to));
      }
      readings.put(c, r);
    }
    long recent = 0;
    for (int i = baselineWindows - loadWindows; i < baselineWindows; i++) {
      recent += perWindow[i];
    }
    long baseline = 0;
    int withRequests = 0;
    for (long n : perWindow) {
      baseline += n;
      withRequests += n > 0 ? 1 : 0;
    }
    double windowSeconds = windowMillis / 1000.0;
    return new ControlInputs(
        tenant,
        from,
        to,
        readings,
        recent / (loadWindows * windowSeconds),
        withRequests == 0 ? 0 : baseline / (withRequests * windowSeconds));
  }

  private ClassReading reading(
      TrafficClass tc,
      Map<CounterKey, Long> fast,
      Histogram ttft,
      Histogram queue,
      double peakBurn,
      double peakShare) {
    long count = ttft.getTotalCount();
    long p95 = count == 0 ? 0 : ttft.getValueAtPercentile(95);
    return new ClassReading(
        tc.name(),
        get(fast, Counter.REQUESTS),
        count,
        p95,
        tc.objectives().ttftThresholdMicros(),
        count == 0 ? 0 : burn(tc, ttft),
        peakBurn,
        queueShare(fast, p95, queue),
        peakShare,
        null);
  }

  /**
   * Whether the model queue names the model tier as the cause: over the whole fast window, or in
   * its freshest window in distress (where a queue building up shows first).
   */
  static boolean modelQueue(ClassReading r, ControlConfig config) {
    return r.queueShare() >= config.modelQueueShare()
        || (r.peakQueueShare() >= config.modelQueueShare()
            && r.peakBurnRate() >= config.triggerBurnRate());
  }

  /** Fraction over the class's TTFT threshold, over its error budget. */
  private static double burn(TrafficClass tc, Histogram ttft) {
    double bad = 1 - LatencyStats.goodRatio(ttft, tc.objectives().ttftThresholdMicros());
    return bad / (1 - tc.objectives().ttftTarget());
  }

  /**
   * The model queue's share of TTFT: over the slow requests when there are enough of them with a
   * decomposition, else over all decomposed requests, else queue p95 over TTFT p95.
   */
  static double queueShare(Map<CounterKey, Long> c, long ttftP95, Histogram queue) {
    if (get(c, Counter.TAIL_DECOMPOSED) >= MIN_TAIL) {
      return share(
          get(c, Counter.TAIL_QUEUE_MICROS),
          get(c, Counter.TAIL_EDGE_MICROS)
              + get(c, Counter.TAIL_MESH_MICROS)
              + get(c, Counter.TAIL_MODEL_MICROS));
    }
    if (get(c, Counter.DECOMPOSED) >= MIN_TAIL) {
      return share(
          get(c, Counter.QUEUE_MICROS),
          get(c, Counter.EDGE_MICROS) + get(c, Counter.MESH_MICROS) + get(c, Counter.MODEL_MICROS));
    }
    if (queue == null || queue.getTotalCount() == 0 || ttftP95 <= 0) {
      return 0;
    }
    return share(queue.getValueAtPercentile(95), ttftP95);
  }

  private Tier verdict(String tenant, TrafficClass tc, Instant from, Instant to) {
    Attribution a =
        attribution.attribute(tenant, tc, from, to, from.minus(config.baselineWindow()), from);
    return a.dominantTier();
  }

  private static double share(long part, long whole) {
    if (whole <= 0 || part <= 0) {
      return 0;
    }
    return Math.min(1.0, part / (double) whole);
  }

  private static long get(Map<CounterKey, Long> c, Counter counter) {
    return c.getOrDefault(CounterKey.of(counter), 0L);
  }
}
