package dev.tierscope.core.attribution;

import dev.tierscope.core.attribution.Sample.Moments;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Tier attribution (core/README.md, "Attribution"): which of edge, mesh and model made a class's
 * time to first token regress, how much of the growth each tier carries, how sure that is, and the
 * sub-signals that moved.
 *
 * <p>Method ({@link ShiftTest} says why). TTFT regressed when its mean grew significantly (a
 * one-sided Welch test at {@link AttributionSettings#regressionSignificance()}) and by more than
 * the margin. A tier is found when its component's mean grew significantly (one-sided Welch tests,
 * {@link AttributionSettings#tierSignificance()} family-wise over the tiers tested) and carries at
 * least {@link AttributionSettings#minShare()} of the found tiers' summed growth. The verdict is
 * the found tier with the largest growth when TTFT regressed, else {@code none}; {@code
 * insufficient_data} when the range or the baseline has fewer than {@link
 * AttributionSettings#minRequests()} requests. Everything is computed from the merged histograms of
 * the two ranges, so any range of any length costs the same.
 *
 * <p>Confidence. A Poisson bootstrap over the histograms' buckets repeats the whole decision {@link
 * AttributionSettings#bootstrapReplicates()} times (seeded, so the same data always gives the same
 * answer): the verdict's confidence is the fraction of replicates reaching the same verdict (shrunk
 * towards one half by one replicate each way, so it never claims certainty), a found tier's
 * confidence the fraction that find it too, and its share interval the replicates' 2.5% to 97.5%
 * range.
 *
 * <p>Evidence compares the sub-signals of tail requests in the range (client path, protocol
 * fallback, retransmits, dominant mesh role, queue share of model time) with the baseline's tail
 * requests when there are enough of them, else with all baseline requests, and reports those that
 * moved, for every found tier. With a {@link SliceReader}, a found model or mesh tier is also
 * checked for a backend that explains it ({@link #backendEvidence}): the model runtime ({@link
 * Dimension#SERVICE}) or the retriever ({@link Dimension#RETRIEVAL_SERVICE}) whose requests carry
 * at least half of the tier's growth, because traffic moved to it (a failover) or because it alone
 * slowed down; the evidence then names it.
 *
 * <pre>{@code
 * Attribution a = new AttributionCalculator(reader, AttributionSettings.defaults())
 *     .attribute("default", cls, from, to, from.minus(Duration.ofHours(1)), from);
 * a.verdict();      // Verdict.EDGE, NONE or INSUFFICIENT_DATA
 * a.confidence();   // 0.99
 * a.found();        // [TierFinding[tier=EDGE, share=1.0, ...]]
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

  /** A share (of requests, of model time) moved when it changed by at least this. */
  static final double SHARE_MOVED = 0.10;

  /** The standard normal quantile of 0.8: the test's z plus this is detected with 80% power. */
  private static final double POWER_80_Z = 0.8416;

  /** Seed of the bootstrap: the same windows always give the same confidences. */
  private static final long BOOTSTRAP_SEED = 0x7165_7273_636f_7065L;

  private final WindowReader reader;
  private final SliceReader slices;
  private final AttributionSettings settings;
  private final ShiftTest test;

  public AttributionCalculator(WindowReader reader, AttributionSettings settings) {
    this(reader, null, settings);
  }

  /**
   * @param slices the breakdowns, for the evidence that names a backend; null: no such evidence
   */
  public AttributionCalculator(
      WindowReader reader, SliceReader slices, AttributionSettings settings) {
    this.reader = reader;
    this.slices = slices;
    this.settings = settings;
    this.test = new ShiftTest(settings);
  }

  /** The default settings with {@code margin} as the regression margin. */
  public AttributionCalculator(WindowReader reader, double margin) {
    this(reader, AttributionSettings.defaults().withRegressionMargin(margin));
  }

  public AttributionSettings settings() {
    return settings;
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
    Attribution a = attribute(cls, from, to, baselineFrom, baselineTo, base, cur);
    if (slices == null) {
      return a;
    }
    List<String> evidence = new ArrayList<>(a.evidence());
    boolean added = false;
    for (TierFinding f : a.found()) {
      Dimension d = backendDimension(f.tier());
      if (d == null) {
        continue;
      }
      List<Map<String, Slice>> s =
          baselineTo.equals(from)
              ? slices.slicesPerInterval(tenant, cls.name(), d, List.of(baselineFrom, from, to))
              : List.of(
                  slices
                      .slicesPerInterval(tenant, cls.name(), d, List.of(baselineFrom, baselineTo))
                      .get(0),
                  slices.slicesPerInterval(tenant, cls.name(), d, List.of(from, to)).get(0));
      String sentence = backendEvidence(f.tier(), s.get(0), s.get(1));
      if (sentence != null) {
        // Right after the tier's own growth line.
        int at = evidence.size();
        for (int i = 0; i < evidence.size(); i++) {
          if (evidence.get(i).startsWith(f.tier().id() + ": p95 ")) {
            at = i + 1;
          }
        }
        evidence.add(at, sentence);
        added = true;
      }
    }
    if (!added) {
      return a;
    }
    return new Attribution(
        a.trafficClass(),
        a.from(),
        a.to(),
        a.baselineFrom(),
        a.baselineTo(),
        a.verdict(),
        a.confidence(),
        a.found(),
        a.byTier(),
        a.shares(),
        a.growthMicros(),
        a.ttftP95BaselineMicros(),
        a.ttftP95CurrentMicros(),
        a.tiers(),
        a.requests(),
        a.baselineRequests(),
        a.tailRequests(),
        evidence);
  }

  /** The breakdown that names a tier's backends: none for the edge. */
  static Dimension backendDimension(Tier tier) {
    return switch (tier) {
      case MODEL -> Dimension.SERVICE;
      case MESH -> Dimension.RETRIEVAL_SERVICE;
      case EDGE -> null;
    };
  }

  /**
   * The backend that explains a found tier's growth, as one sentence, or null when none does.
   *
   * <p>The tier's mean component per request splits exactly over the backends' requests: {@code
   * growth = sum over backends b of (sum_b now / n now - sum_b before / n before)}, with {@code n}
   * all requests with the component (those without a retrieval included, under {@code unknown}). A
   * backend explains the growth when its term carries at least half of it and it stands out:
   * traffic moved to it (its share of the calls grew by {@link #SHARE_MOVED} or more), or its own
   * mean grew at least twice as much as the other backends' together. Needs two named backends in
   * the range and the baseline together: with one, there is nothing to tell apart.
   */
  static String backendEvidence(Tier tier, Map<String, Slice> base, Map<String, Slice> cur) {
    Metric m = tier.metric();
    Map<String, double[]> by = new TreeMap<>(); // value -> {n now, sum now, n before, sum before}
    double[] total = new double[4];
    collect(cur, m, by, total, 0);
    collect(base, m, by, total, 2);
    if (total[0] == 0 || total[2] == 0) {
      return null;
    }
    double growth = total[1] / total[0] - total[3] / total[2];
    double[] calls = new double[4];
    int named = 0;
    for (Map.Entry<String, double[]> e : by.entrySet()) {
      if (isBackend(e.getKey())) {
        named++;
        for (int i = 0; i < 4; i++) {
          calls[i] += e.getValue()[i];
        }
      }
    }
    if (growth <= 0 || named < 2 || calls[0] == 0) {
      return null;
    }
    String best = null;
    double bestTerm = 0;
    for (Map.Entry<String, double[]> e : by.entrySet()) {
      double[] v = e.getValue();
      double term = v[1] / total[0] - v[3] / total[2];
      if (isBackend(e.getKey()) && term > bestTerm) {
        best = e.getKey();
        bestTerm = term;
      }
    }
    if (best == null || bestTerm < 0.5 * growth) {
      return null;
    }
    double[] v = by.get(best);
    double shareNow = v[0] / calls[0];
    double shareBefore = calls[2] == 0 ? 0 : v[2] / calls[2];
    String what = tier == Tier.MODEL ? "model calls" : "retrievals";
    String requestsWith = tier == Tier.MODEL ? "per request" : "per request with a retrieval";
    double meanNow = v[1] / v[0];
    if (shareNow - shareBefore >= SHARE_MOVED) {
      double beforeAll = calls[2] == 0 ? total[3] / total[2] : calls[3] / calls[2];
      return String.format(
          Locale.ROOT,
          "%s: %s of %s served by %s vs %s in baseline: %s time %s per request there vs %s %s in"
              + " baseline",
          tier.id(),
          pct(shareNow),
          what,
          best,
          pct(shareBefore),
          tier.id(),
          ms(Math.round(meanNow)),
          ms(Math.round(beforeAll)),
          requestsWith);
    }
    if (v[2] == 0) {
      return null;
    }
    double ownGrowth = meanNow - v[3] / v[2];
    double restNow = calls[0] - v[0];
    double restBefore = calls[2] - v[2];
    double restGrowth =
        restNow == 0 || restBefore == 0
            ? 0
            : (calls[1] - v[1]) / restNow - (calls[3] - v[3]) / restBefore;
    if (ownGrowth <= 0 || ownGrowth < 2 * Math.max(0, restGrowth)) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "%s: %s time of the requests served by %s %s vs %s in baseline (%s of %s), the other"
            + " backends' %s",
        tier.id(),
        tier.id(),
        best,
        ms(Math.round(meanNow)),
        ms(Math.round(v[3] / v[2])),
        pct(shareNow),
        what,
        signedMs(Math.round(restGrowth)));
  }

  private static boolean isBackend(String value) {
    return !value.equals(Dimension.UNKNOWN) && !value.equals(Dimension.OTHER);
  }

  private static void collect(
      Map<String, Slice> slices, Metric m, Map<String, double[]> by, double[] total, int at) {
    for (Map.Entry<String, Slice> e : slices.entrySet()) {
      Histogram h = e.getValue().histograms().get(m);
      if (h == null || h.getTotalCount() == 0) {
        continue;
      }
      double n = h.getTotalCount();
      double sum = h.getMean() * n;
      double[] v = by.computeIfAbsent(e.getKey(), k -> new double[4]);
      v[at] += n;
      v[at + 1] += sum;
      total[at] += n;
      total[at + 1] += sum;
    }
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
    Tier[] all = Tier.values();
    Sample ttftCur = Sample.of(cur.h.get(Metric.TTFT));
    Sample ttftBase = Sample.of(base.h.get(Metric.TTFT));
    Sample[] tierCur = new Sample[all.length];
    Sample[] tierBase = new Sample[all.length];
    Moments[] curMoments = new Moments[all.length];
    Moments[] baseMoments = new Moments[all.length];
    for (Tier t : all) {
      tierCur[t.ordinal()] = Sample.of(cur.h.get(t.metric()));
      tierBase[t.ordinal()] = Sample.of(base.h.get(t.metric()));
      curMoments[t.ordinal()] = tierCur[t.ordinal()].moments();
      baseMoments[t.ordinal()] = tierBase[t.ordinal()].moments();
    }
    long p95Base = base.p95(Metric.TTFT);
    long p95Cur = cur.p95(Metric.TTFT);
    Map<Tier, Attribution.TierP95> p95 = new EnumMap<>(Tier.class);
    for (Tier t : all) {
      p95.put(t, new Attribution.TierP95(base.p95(t.metric()), cur.p95(t.metric())));
    }
    long nCur = ttftCur.moments().n();
    long nBase = ttftBase.moments().n();
    List<String> evidence = new ArrayList<>();
    Map<Tier, Double> shares = new EnumMap<>(Tier.class);
    Map<Tier, Long> growth = new EnumMap<>(Tier.class);
    for (Tier t : all) {
      shares.put(t, 0.0);
      growth.put(t, 0L);
    }
    if (nCur < settings.minRequests() || nBase < settings.minRequests()) {
      evidence.add(
          "ttft: "
              + nCur
              + " requests with a first token in the range and "
              + nBase
              + " in the baseline; at least "
              + settings.minRequests()
              + " each are needed");
      return new Attribution(
          cls.name(),
          from,
          to,
          baselineFrom,
          baselineTo,
          Verdict.INSUFFICIENT_DATA,
          0.0,
          List.of(),
          untested(),
          shares,
          growth,
          p95Base,
          p95Cur,
          p95,
          cur.count(Counter.REQUESTS),
          base.count(Counter.REQUESTS),
          cur.count(Counter.TAIL_REQUESTS),
          evidence);
    }

    ShiftTest.Result result =
        test.decide(ttftCur.moments(), ttftBase.moments(), curMoments, baseMoments);
    Bootstrap boot = bootstrap(result, ttftCur, ttftBase, tierCur, tierBase);

    List<TierFinding> found = new ArrayList<>();
    Map<Tier, TierFinding> byTier = new EnumMap<>(Tier.class);
    for (Tier t : all) {
      int i = t.ordinal();
      growth.put(t, Math.max(0, Math.round(result.growth()[i])));
      shares.put(t, result.shares()[i]);
      TierFinding f =
          new TierFinding(
              t,
              result.shares()[i],
              boot.shareLow[i],
              boot.shareHigh[i],
              boot.tierConfidence[i],
              Math.round(result.growth()[i]),
              result.z()[i],
              result.named(t));
      byTier.put(t, f);
      if (f.found()) {
        found.add(f);
      }
    }
    found.sort(Comparator.comparingDouble((TierFinding f) -> -f.share()));

    evidence.add(ttftEvidence(result, p95Cur, p95Base));
    if (result.regressed() && found.isEmpty()) {
      StringBuilder s = new StringBuilder("no tier's component grew significantly (");
      for (Tier t : all) {
        if (result.tested()[t.ordinal()]) {
          s.append(String.format(Locale.ROOT, "%s z %.1f, ", t.id(), result.z()[t.ordinal()]));
        }
      }
      int tested = 0;
      for (boolean b : result.tested()) {
        tested += b ? 1 : 0;
      }
      evidence.add(
          s.append(String.format(Locale.ROOT, "critical z %.2f)", test.tierZ(tested))).toString());
    }
    if (result.verdict() == Verdict.NONE) {
      for (Tier t : all) {
        int i = t.ordinal();
        if (!result.regressed() && result.found()[i]) {
          evidence.add(
              String.format(
                  Locale.ROOT,
                  "%s: mean %s per request (z %.1f), but TTFT did not regress significantly",
                  t.id(),
                  signedMs(Math.round(result.growth()[i])),
                  result.z()[i]));
        }
      }
      evidence.add(detectable(result, curMoments, baseMoments));
    }
    for (TierFinding f : found) {
      Attribution.TierP95 v = p95.get(f.tier());
      evidence.add(
          String.format(
              Locale.ROOT,
              "%s: p95 %s vs %s baseline; mean %s per request (z %.1f), share %s (%s-%s)",
              f.tier().id(),
              ms(v.currentMicros()),
              ms(v.baselineMicros()),
              signedMs(f.growthMicros()),
              f.z(),
              pct(f.share()),
              pct(f.shareLow()),
              pct(f.shareHigh())));
    }
    for (TierFinding f : found) {
      switch (f.tier()) {
        case EDGE -> edgeEvidence(base, cur, evidence);
        case MESH -> meshEvidence(base, cur, evidence);
        case MODEL -> modelEvidence(base, cur, evidence);
      }
    }
    for (Tier t : all) {
      int i = t.ordinal();
      if (!result.tested()[i]) {
        evidence.add(
            t.id()
                + ": not tested, "
                + curMoments[i].n()
                + " requests with this component in the range and "
                + baseMoments[i].n()
                + " in the baseline (at least "
                + settings.minRequests()
                + " each)");
      }
    }
    return new Attribution(
        cls.name(),
        from,
        to,
        baselineFrom,
        baselineTo,
        result.verdict(),
        boot.verdictConfidence,
        found,
        byTier,
        shares,
        growth,
        p95Base,
        p95Cur,
        p95,
        cur.count(Counter.REQUESTS),
        base.count(Counter.REQUESTS),
        cur.count(Counter.TAIL_REQUESTS),
        evidence);
  }

  /** The growth each tested tier would have been found at with 80% power, at these sizes. */
  private String detectable(ShiftTest.Result r, Moments[] cur, Moments[] base) {
    int tested = 0;
    for (boolean b : r.tested()) {
      tested += b ? 1 : 0;
    }
    double z = test.tierZ(tested) + POWER_80_Z;
    StringBuilder s = new StringBuilder();
    for (Tier t : Tier.values()) {
      int i = t.ordinal();
      if (r.tested()[i]) {
        double se =
            Math.sqrt(
                cur[i].variance() / (cur[i].n() - 1) + base[i].variance() / (base[i].n() - 1));
        s.append(s.length() == 0 ? "" : ", ")
            .append(t.id())
            .append(' ')
            .append(ms(Math.round(z * se)));
      }
    }
    return "detectable: a tier's mean growth of "
        + s
        + " per request would have been found 4 times in 5 at these request counts";
  }

  /** Every tier with nothing tested. */
  private static Map<Tier, TierFinding> untested() {
    Map<Tier, TierFinding> out = new EnumMap<>(Tier.class);
    for (Tier t : Tier.values()) {
      out.put(t, new TierFinding(t, 0, 0, 0, 0, 0, 0, false));
    }
    return out;
  }

  private String ttftEvidence(ShiftTest.Result r, long p95Cur, long p95Base) {
    String s =
        String.format(
            Locale.ROOT,
            "ttft: p95 %s vs %s baseline; mean %s (z %.1f)",
            ms(p95Cur),
            ms(p95Base),
            signedMs(Math.round(r.ttftGrowth())),
            r.ttftZ());
    if (r.regressed()) {
      return s;
    }
    if (r.ttftZ() < test.regressionZ()) {
      return s + String.format(Locale.ROOT, ", below z %.2f: no regression", test.regressionZ());
    }
    return s
        + ", within the "
        + Math.round(settings.regressionMargin() * 100)
        + "% margin: no regression";
  }

  /** What the bootstrap replicates say about the observed decision. */
  private static final class Bootstrap {
    double verdictConfidence;
    final double[] tierConfidence = new double[Tier.values().length];
    final double[] shareLow = new double[Tier.values().length];
    final double[] shareHigh = new double[Tier.values().length];
  }

  private Bootstrap bootstrap(
      ShiftTest.Result observed, Sample ttftCur, Sample ttftBase, Sample[] cur, Sample[] base) {
    int n = settings.bootstrapReplicates();
    int tiers = Tier.values().length;
    SplittableRandom random = new SplittableRandom(BOOTSTRAP_SEED);
    int sameVerdict = 0;
    int[] named = new int[tiers];
    double[][] shares = new double[tiers][n];
    Moments[] c = new Moments[tiers];
    Moments[] b = new Moments[tiers];
    for (int k = 0; k < n; k++) {
      Moments tc = ttftCur.resample(random);
      Moments tb = ttftBase.resample(random);
      for (int t = 0; t < tiers; t++) {
        c[t] = cur[t].resample(random);
        b[t] = base[t].resample(random);
      }
      ShiftTest.Result r = test.decide(tc, tb, c, b);
      if (r.verdict() == observed.verdict()) {
        sameVerdict++;
      }
      for (Tier t : Tier.values()) {
        int i = t.ordinal();
        if (r.named(t)) {
          named[i]++;
        }
        shares[i][k] = r.shares()[i];
      }
    }
    Bootstrap out = new Bootstrap();
    out.verdictConfidence = (sameVerdict + 1.0) / (n + 2.0);
    for (int t = 0; t < tiers; t++) {
      out.tierConfidence[t] = (named[t] + 1.0) / (n + 2.0);
      Arrays.sort(shares[t]);
      out.shareLow[t] = shares[t][(int) Math.floor(0.025 * (n - 1))];
      out.shareHigh[t] = shares[t][(int) Math.ceil(0.975 * (n - 1))];
    }
    return out;
  }

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

  static String signedMs(long micros) {
    return (micros < 0 ? "-" : "+") + ms(Math.abs(micros));
  }

  static String pct(double fraction) {
    return Math.round(fraction * 100) + "%";
  }
}
