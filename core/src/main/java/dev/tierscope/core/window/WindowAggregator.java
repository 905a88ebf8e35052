package dev.tierscope.core.window;

import dev.tierscope.core.assembly.RequestSummary;
import dev.tierscope.core.assembly.Vantage;
import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.StreamOutcome;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * Records completed requests into HdrHistograms and counters per (tenant, class, event-time
 * window), and hands out what accumulated as deltas at each checkpoint.
 *
 * <p>Why deltas: several aggregator instances write the same windows; each keeps only what it saw
 * since its last checkpoint and the store merges (histograms merge exactly). Recording is a hash
 * lookup and an array increment; nothing is serialised per request.
 *
 * <p>Why caps: tenants, workflows and client paths become row keys and labels, so a flood of
 * distinct values would become a flood of rows. Each is capped per window ({@link WindowCaps}); the
 * excess is folded into {@code __overflow__} ({@link CappedDimension}) and counted by {@link
 * #folded}. A tenant bound to an authenticated caller is never folded.
 *
 * <p>Breakdowns: each request is recorded once more per breakdown {@link Dimension} (client path,
 * connection type, protocol version, region, model, service) under its value, as a {@link Slice} of
 * the SLI inputs. Closed sets bound the edge dimensions; region, model and service are capped per
 * window and tenant like workflows. A window of one tenant and class so holds at most 18 slices of
 * the closed dimensions plus, per capped dimension, twice its cap and one {@code __overflow__}.
 *
 * <p>Not thread-safe: owned by one consumer thread.
 */
public final class WindowAggregator {

  /** Dimensions of {@link Counter#DEGRADED}, by level. */
  private static final String[] LEVELS = {"0", "1", "2", "3"};

  /** Exemplars kept per window and delta. */
  static final int EXEMPLARS = Exemplar.KEPT_PER_WINDOW;

  private static final Dimension[] DIMENSIONS = Dimension.values();

  /** The metrics a slice keeps ({@link Slice#METRICS}), in the order of {@link #sliceBuckets}. */
  private static final Metric[] SLICE_METRICS = {
    Metric.TTFT,
    Metric.EDGE,
    Metric.MESH,
    Metric.MODEL,
    Metric.MODEL_QUEUE,
    Metric.TOOLCHAIN,
    Metric.TOOLCHAIN_FAILED
  };

  /**
   * The SLI inputs of the requests of one value of one dimension in one window: bucket counts per
   * metric ({@link BucketCounts}, made into histograms when the window is handed out) and counters.
   */
  private static final class SliceCell {
    // Indexed like SLICE_METRICS; created on a metric's first value.
    final BucketCounts[] buckets = new BucketCounts[SLICE_METRICS.length];
    // Indexed by Counter ordinal; only Slice.COUNTERS are used.
    final long[] counters = new long[Counter.values().length];

    /**
     * @param keys per slice metric, the bucket of the request's value ({@link
     *     BucketCounts#bucketOf}), or -1 without one
     */
    void record(RequestSummary r, int[] keys) {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] >= 0) {
          BucketCounts b = buckets[i];
          if (b == null) {
            b = new BucketCounts();
            buckets[i] = b;
          }
          b.add(keys[i]);
        }
      }
      counters[Counter.REQUESTS.ordinal()]++;
      if (r.streamed()) {
        counters[Counter.STREAMS.ordinal()]++;
        if (r.streamOutcome() == StreamOutcome.INTERRUPTED) {
          counters[Counter.INTERRUPTED.ordinal()]++;
        } else if (r.streamOutcome() == StreamOutcome.CANCELLED) {
          counters[Counter.CANCELLED.ordinal()]++;
        }
      }
      if (r.retrievals() > 0) {
        counters[Counter.RETRIEVALS.ordinal()] += r.retrievals();
        counters[Counter.RETRIEVAL_MISSES.ordinal()] += r.retrievalMisses();
        counters[Counter.RETRIEVAL_FALLBACKS.ordinal()] += r.retrievalFallbacks();
      }
      if (r.toolCalls() > 0) {
        counters[Counter.TOOL_CHAINS.ordinal()]++;
        if (r.toolchainFailed()) {
          counters[Counter.FAILED_CHAINS.ordinal()]++;
        }
      }
    }

    Slice toSlice(Dimension d, String value, int significantDigits) {
      Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
      for (int i = 0; i < SLICE_METRICS.length; i++) {
        if (buckets[i] != null) {
          h.put(SLICE_METRICS[i], buckets[i].toHistogram(significantDigits));
        }
      }
      Map<Counter, Long> c = new EnumMap<>(Counter.class);
      for (Counter k : Slice.COUNTERS) {
        if (counters[k.ordinal()] != 0) {
          c.put(k, counters[k.ordinal()]);
        }
      }
      return new Slice(d, value, h, c);
    }
  }

  private static final class WindowState {
    final EnumMap<Metric, Histogram> histograms = new EnumMap<>(Metric.class);
    final HashMap<CounterKey, long[]> counters = new HashMap<>();

    /** Per dimension (by ordinal), value to its cell. */
    @SuppressWarnings("unchecked")
    final HashMap<String, SliceCell>[] slices = new HashMap[DIMENSIONS.length];

    SliceCell slice(Dimension d, String value) {
      HashMap<String, SliceCell> byValue = slices[d.ordinal()];
      if (byValue == null) {
        byValue = new HashMap<>();
        slices[d.ordinal()] = byValue;
      }
      SliceCell cell = byValue.get(value);
      if (cell == null) {
        cell = new SliceCell();
        byValue.put(value, cell);
      }
      return cell;
    }

    List<Slice> sliceList(int significantDigits) {
      List<Slice> out = new ArrayList<>();
      for (Dimension d : DIMENSIONS) {
        HashMap<String, SliceCell> byValue = slices[d.ordinal()];
        if (byValue != null) {
          byValue.forEach((v, cell) -> out.add(cell.toSlice(d, v, significantDigits)));
        }
      }
      return out;
    }

    /** The slowest requests so far, unordered; replaced when a slower one comes. */
    final RequestSummary[] slowest = new RequestSummary[EXEMPLARS];

    void offerExemplar(RequestSummary r) {
      int free = -1;
      int fastest = -1;
      for (int i = 0; i < slowest.length; i++) {
        if (slowest[i] == null) {
          free = i;
          break;
        }
        if (fastest < 0 || slowest[i].ttftMicros() < slowest[fastest].ttftMicros()) {
          fastest = i;
        }
      }
      if (free >= 0) {
        slowest[free] = r;
      } else if (r.ttftMicros() > slowest[fastest].ttftMicros()) {
        slowest[fastest] = r;
      }
    }

    List<Exemplar> exemplars() {
      List<Exemplar> out = new ArrayList<>(EXEMPLARS);
      for (RequestSummary r : slowest) {
        if (r != null) {
          out.add(new Exemplar(r.traceId().toHex(), r.ttftMicros(), Exemplar.Breakdown.of(r)));
        }
      }
      out.sort((a, b) -> Long.compare(b.ttftMicros(), a.ttftMicros()));
      return out;
    }
  }

  private final long windowMillis;
  private final int significantDigits;

  /** Never recorded into: buckets values as the window's histograms do. */
  private final Histogram bucketShape;

  /** Scratch for {@link #recordSlices}, indexed like {@code SLICE_METRICS}. */
  private final int[] sliceKeys = new int[SLICE_METRICS.length];

  private final HashMap<WindowKey, WindowState> windows = new HashMap<>();
  private final ToLongFunction<String> ttftThresholdMicros;
  private final CappedDimension tenants;
  private final CappedDimension workflows;
  private final CappedDimension clientPaths;

  /** Per breakdown dimension (by ordinal), its cap; null for a closed set. */
  private final CappedDimension[] sliceCaps = new CappedDimension[DIMENSIONS.length];

  /**
   * @param windowMillis window size in milliseconds (10 000 by default)
   * @param significantDigits HdrHistogram precision, 1 to 5 (2 by default: 1% relative error)
   */
  public WindowAggregator(long windowMillis, int significantDigits) {
    this(windowMillis, significantDigits, cls -> -1);
  }

  /**
   * @param windowMillis window size in milliseconds (10 000 by default)
   * @param significantDigits HdrHistogram precision, 1 to 5 (2 by default: 1% relative error)
   * @param ttftThresholdMicros class name to its TTFT threshold in microseconds (negative: no tail
   *     accounting for that class); requests above it count as tail for attribution
   */
  public WindowAggregator(
      long windowMillis, int significantDigits, ToLongFunction<String> ttftThresholdMicros) {
    this(windowMillis, significantDigits, ttftThresholdMicros, WindowCaps.DEFAULTS);
  }

  /**
   * @param windowMillis window size in milliseconds (10 000 by default)
   * @param significantDigits HdrHistogram precision, 1 to 5 (2 by default: 1% relative error)
   * @param ttftThresholdMicros class name to its TTFT threshold in microseconds (negative: no tail
   *     accounting for that class); requests above it count as tail for attribution
   * @param caps distinct tenants, workflows and client paths per window before the excess folds
   */
  public WindowAggregator(
      long windowMillis,
      int significantDigits,
      ToLongFunction<String> ttftThresholdMicros,
      WindowCaps caps) {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("windowMillis must be positive, was " + windowMillis);
    }
    if (significantDigits < 1 || significantDigits > 5) {
      throw new IllegalArgumentException(
          "significantDigits must lie in 1..5, was " + significantDigits);
    }
    this.windowMillis = windowMillis;
    this.significantDigits = significantDigits;
    this.bucketShape = new Histogram(significantDigits);
    this.ttftThresholdMicros = ttftThresholdMicros;
    this.tenants = new CappedDimension("tenant", caps.tenants(), windowMillis);
    this.workflows = new CappedDimension("workflow", caps.workflows(), windowMillis);
    this.clientPaths = new CappedDimension("client_path", caps.clientPaths(), windowMillis);
    sliceCaps[Dimension.REGION.ordinal()] =
        new CappedDimension("region", caps.regions(), windowMillis);
    sliceCaps[Dimension.MODEL.ordinal()] =
        new CappedDimension("model", caps.models(), windowMillis);
    sliceCaps[Dimension.SERVICE.ordinal()] =
        new CappedDimension("service", caps.services(), windowMillis);
    // Retrievers are backend services too: the same cap, counted on its own.
    sliceCaps[Dimension.RETRIEVAL_SERVICE.ordinal()] =
        new CappedDimension("retrieval_service", caps.services(), windowMillis);
  }

  /** Window start (epoch milliseconds) of an event time in epoch microseconds. */
  public long windowStartMillis(long epochMicros) {
    return Math.floorDiv(Math.floorDiv(epochMicros, 1_000), windowMillis) * windowMillis;
  }

  /** Records one completed request into its event-time window. */
  public void record(RequestSummary r) {
    long start = windowStartMillis(r.eventTimeEpochMicros());
    String tenant = tenants.admit(start, "", r.tenant(), r.tenantAuthenticated());
    WindowState w =
        windows.computeIfAbsent(
            new WindowKey(tenant, r.trafficClass(), start), k -> new WindowState());
    add(w, Counter.REQUESTS, "", 1);
    if (r.partial()) {
      add(w, Counter.PARTIAL, "", 1);
    }
    if (r.classUnknown()) {
      add(w, Counter.CLASS_UNKNOWN, "", 1);
    }
    if (r.admission() != Admission.NONE) {
      add(w, Counter.ADMISSION, r.admission().id(), 1);
    }
    if (r.degradationLevel() > 0) {
      add(w, Counter.DEGRADED, LEVELS[r.degradationLevel()], 1);
    }
    if (r.classFallback()) {
      add(w, Counter.CLASS_FALLBACK, "", 1);
    } else if (!r.classRule().isEmpty()) {
      add(w, Counter.CLASS_RULE, r.classRule(), 1);
    }
    recordValue(w, Metric.TTFT, r.ttftMicros());
    if (r.ttftMicros() >= 0) {
      w.offerExemplar(r);
    }
    recordValue(w, Metric.EDGE, r.edgeMicros());
    recordValue(w, Metric.MESH, r.meshMicros());
    recordValue(w, Metric.MODEL, r.modelMicros());
    recordValue(w, Metric.MODEL_QUEUE, r.modelQueueMicros());
    recordValue(w, Metric.TOOLCHAIN, r.toolchainMicros());
    if (r.toolchainFailed()) {
      recordValue(w, Metric.TOOLCHAIN_FAILED, r.toolchainMicros());
    }
    recordValue(w, Metric.E2E, r.e2eMicros());
    // Fan-out: every request records its counts, zeros included, so the distribution is over all
    // requests of the window.
    recordValue(w, Metric.RETRIEVALS_PER_REQUEST, r.retrievals());
    recordValue(w, Metric.TOOL_CALLS_PER_REQUEST, r.toolCalls());
    if (r.ttftMicros() >= 0 && r.edgeMicros() < 0) {
      add(w, Counter.EDGE_UNKNOWN, "", 1);
    }
    if (r.streamed()) {
      add(w, Counter.STREAMS, "", 1);
      if (r.streamOutcome() == StreamOutcome.INTERRUPTED) {
        add(w, Counter.INTERRUPTED, "", 1);
        add(w, Counter.INTERRUPTION_CAUSE, r.interruptionCause().id(), 1);
        recordValue(w, Metric.streamCut(r.interruptionCause()), r.streamCutAfterMicros());
      } else if (r.streamOutcome() == StreamOutcome.CANCELLED) {
        add(w, Counter.CANCELLED, "", 1);
        recordValue(w, Metric.STREAM_CUT_CANCELLED, r.streamCutAfterMicros());
      }
      recordValue(w, Metric.STREAM_MAX_GAP, r.streamMaxGapMicros());
      if (r.streamStalls() >= 0) {
        add(w, Counter.STALL_REPORTS, "", 1);
        if (r.streamStalls() > 0) {
          add(w, Counter.STALLED_STREAMS, "", 1);
          add(w, Counter.STALLS, "", r.streamStalls());
        }
      }
    }
    if (r.retrievals() > 0) {
      add(w, Counter.RETRIEVALS, "", r.retrievals());
      add(w, Counter.RETRIEVAL_MISSES, "", r.retrievalMisses());
      add(w, Counter.RETRIEVAL_FALLBACKS, "", r.retrievalFallbacks());
    }
    if (r.toolCalls() > 0) {
      add(w, Counter.TOOL_CHAINS, "", 1);
      if (r.toolchainFailed()) {
        add(w, Counter.FAILED_CHAINS, "", 1);
      }
    }
    recordAttributionInputs(w, r, start, tenant);
    recordSlices(w, r, start, tenant);
    if (r.inputTokens() > 0 || r.outputTokens() > 0) {
      String workflow = workflows.admit(start, tenant, r.workflow(), false);
      add(w, Counter.INPUT_TOKENS, workflow, r.inputTokens());
      add(w, Counter.OUTPUT_TOKENS, workflow, r.outputTokens());
    }
  }

  /** The request's SLI inputs once more per breakdown dimension, under its (capped) value. */
  private void recordSlices(WindowState w, RequestSummary r, long start, String tenant) {
    // The buckets of the request's values, once for all dimensions.
    int[] keys = sliceKeys;
    keys[0] = bucket(r.ttftMicros());
    keys[1] = bucket(r.edgeMicros());
    keys[2] = bucket(r.meshMicros());
    keys[3] = bucket(r.modelMicros());
    keys[4] = bucket(r.modelQueueMicros());
    keys[5] = bucket(r.toolchainMicros());
    keys[6] = r.toolchainFailed() ? keys[5] : -1;
    for (Dimension d : DIMENSIONS) {
      String value = d.valueOf(r);
      CappedDimension cap = sliceCaps[d.ordinal()];
      if (cap != null) {
        value = cap.admit(start, tenant, value, false);
      }
      w.slice(d, value).record(r, keys);
    }
  }

  /** The bucket {@code micros} falls in, or -1 for no value. */
  private int bucket(long micros) {
    return micros < 0 ? -1 : BucketCounts.bucketOf(bucketShape, micros);
  }

  private void recordAttributionInputs(WindowState w, RequestSummary r, long start, String tenant) {
    long threshold = ttftThresholdMicros.applyAsLong(r.trafficClass());
    boolean tail = threshold >= 0 && r.ttftMicros() > threshold;
    boolean decomposed = r.edgeMicros() >= 0 && r.meshMicros() >= 0 && r.modelMicros() >= 0;
    long queue = Math.max(0, r.modelQueueMicros());
    String path =
        r.ttftVantage() != Vantage.CLIENT
            ? ""
            : clientPaths.admit(
                start, tenant, r.clientPath().isEmpty() ? "unknown" : r.clientPath(), false);
    String meshRole = r.dominantMeshRole().name().toLowerCase(Locale.ROOT);
    if (decomposed) {
      add(w, Counter.DECOMPOSED, "", 1);
      add(w, Counter.EDGE_MICROS, "", r.edgeMicros());
      add(w, Counter.MESH_MICROS, "", r.meshMicros());
      add(w, Counter.MODEL_MICROS, "", r.modelMicros());
      add(w, Counter.QUEUE_MICROS, "", queue);
    }
    if (r.ttftVantage() == Vantage.CLIENT) {
      add(w, Counter.CLIENT_PATH, path, 1);
      add(w, Counter.RETRANSMITS, "", r.retransmits());
      if (r.protocolFallback()) {
        add(w, Counter.PROTOCOL_FALLBACKS, "", 1);
      }
    }
    add(w, Counter.MESH_DOMINANT, meshRole, 1);
    if (!tail) {
      return;
    }
    add(w, Counter.TAIL_REQUESTS, "", 1);
    add(w, Counter.TAIL_MESH_DOMINANT, meshRole, 1);
    if (decomposed) {
      add(w, Counter.TAIL_DECOMPOSED, "", 1);
      add(w, Counter.TAIL_EDGE_MICROS, "", r.edgeMicros());
      add(w, Counter.TAIL_MESH_MICROS, "", r.meshMicros());
      add(w, Counter.TAIL_MODEL_MICROS, "", r.modelMicros());
      add(w, Counter.TAIL_QUEUE_MICROS, "", queue);
    }
    if (r.ttftVantage() == Vantage.CLIENT) {
      add(w, Counter.TAIL_CLIENT_PATH, path, 1);
      add(w, Counter.TAIL_RETRANSMITS, "", r.retransmits());
      if (r.protocolFallback()) {
        add(w, Counter.TAIL_PROTOCOL_FALLBACKS, "", 1);
      }
    }
  }

  /** Counts spans received twice (a client retry), in the window of their request. */
  public void recordDuplicateSpans(
      String tenant, String trafficClass, long eventTimeEpochMicros, int n) {
    recordSpans(tenant, false, trafficClass, eventTimeEpochMicros, Counter.DUPLICATE_SPANS, n);
  }

  /** Counts one span that arrived after the allowed lateness, in the window it belonged to. */
  public void recordLateSpan(String tenant, String trafficClass, long eventTimeEpochMicros) {
    recordSpans(tenant, false, trafficClass, eventTimeEpochMicros, Counter.LATE_SPANS, 1);
  }

  /**
   * Counts spans of one kind ({@link Counter#LATE_SPANS}, {@link Counter#DUPLICATE_SPANS}, {@link
   * Counter#SPANS_OVER_TRACE_CAP}) in the window they belonged to, the tenant capped like a
   * request's.
   */
  public void recordSpans(
      String tenant,
      boolean tenantAuthenticated,
      String trafficClass,
      long eventTimeEpochMicros,
      Counter counter,
      int n) {
    long start = windowStartMillis(eventTimeEpochMicros);
    WindowState w =
        windows.computeIfAbsent(
            new WindowKey(
                tenants.admit(start, "", tenant, tenantAuthenticated), trafficClass, start),
            k -> new WindowState());
    add(w, counter, "", n);
  }

  /**
   * Recordings folded into {@code __overflow__} since creation, per dimension: {@code tenant},
   * {@code workflow}, {@code client_path}, {@code region}, {@code model}, {@code service}.
   */
  public java.util.Map<String, Long> folded() {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (CappedDimension d : List.of(tenants, workflows, clientPaths)) {
      out.put(d.name(), d.folded());
    }
    for (CappedDimension d : sliceCaps) {
      if (d != null) {
        out.put(d.name(), d.folded());
      }
    }
    return out;
  }

  private void recordValue(WindowState w, Metric metric, long micros) {
    if (micros < 0) {
      return;
    }
    Histogram h = w.histograms.get(metric);
    if (h == null) {
      h = new Histogram(significantDigits);
      w.histograms.put(metric, h);
    }
    h.recordValue(micros);
  }

  private static void add(WindowState w, Counter counter, String dimension, long n) {
    if (n == 0) {
      return;
    }
    long[] cell = w.counters.get(new CounterKey(counter, dimension));
    if (cell == null) {
      cell = new long[1];
      w.counters.put(new CounterKey(counter, dimension), cell);
    }
    cell[0] += n;
  }

  /** Everything recorded since the last drain, and forgets it. */
  public List<WindowDelta> drain() {
    List<WindowDelta> out = new ArrayList<>(windows.size());
    for (Map.Entry<WindowKey, WindowState> e : windows.entrySet()) {
      Map<CounterKey, Long> counters = new HashMap<>();
      e.getValue().counters.forEach((k, v) -> counters.put(k, v[0]));
      out.add(
          new WindowDelta(
              e.getKey(),
              windowMillis,
              e.getValue().histograms,
              counters,
              e.getValue().exemplars(),
              e.getValue().sliceList(significantDigits)));
    }
    windows.clear();
    return out;
  }

  /** Forgets everything recorded since the last drain (the checkpoint that held it failed). */
  public void discard() {
    windows.clear();
  }

  /** True when nothing was recorded since the last drain. */
  public boolean isEmpty() {
    return windows.isEmpty();
  }

  /**
   * Histograms currently held in memory. The breakdown slices hold none until their window is
   * handed out: see {@link #liveSliceBuckets}.
   */
  public int liveHistograms() {
    int n = 0;
    for (WindowState w : windows.values()) {
      n += w.histograms.size();
    }
    return n;
  }

  /** Breakdown slices currently held in memory, and the distinct buckets they count in all. */
  public long[] liveSliceBuckets() {
    long slices = 0;
    long buckets = 0;
    for (WindowState w : windows.values()) {
      for (HashMap<String, SliceCell> byValue : w.slices) {
        if (byValue != null) {
          for (SliceCell cell : byValue.values()) {
            slices++;
            for (BucketCounts b : cell.buckets) {
              if (b != null) {
                buckets += b.buckets();
              }
            }
          }
        }
      }
    }
    return new long[] {slices, buckets};
  }

  public long windowMillis() {
    return windowMillis;
  }
}
