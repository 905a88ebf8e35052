package dev.tierscope.core.slo;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.Metric;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a series can show: the four SLIs, the TTFT components and what gateways did under admission
 * control, each with the statistics that fit it.
 */
public enum Signal {
  TTFT("ttft", Metric.TTFT, Sli.TTFT),
  EDGE("edge", Metric.EDGE, null),
  MESH("mesh", Metric.MESH, null),
  MODEL("model", Metric.MODEL, null),
  MODEL_QUEUE("modelQueue", Metric.MODEL_QUEUE, null),
  TOOLCHAIN_LATENCY("toolchainLatency", Metric.TOOLCHAIN, Sli.TOOLCHAIN_LATENCY),
  STREAM_INTERRUPTION("streamInterruption", null, Sli.STREAM_INTERRUPTION),
  RETRIEVAL_FALLBACK("retrievalFallback", null, Sli.RETRIEVAL_FALLBACK),
  /** Admission control: shed, deferred and degraded requests over all requests. */
  ADMISSION("admission", null, null),
  /** Earliest span start to latest span end of each request. */
  E2E("e2e", Metric.E2E, null),
  /** Retrieval spans per request, as a distribution over all requests. */
  RETRIEVALS_PER_REQUEST("retrievalsPerRequest", Metric.RETRIEVALS_PER_REQUEST, null),
  /** Tool spans per request, as a distribution over all requests. */
  TOOL_CALLS_PER_REQUEST("toolCallsPerRequest", Metric.TOOL_CALLS_PER_REQUEST, null),
  /**
   * Retrieval misses and how many a fallback served: {@code ratio} is fallbacks / misses, {@code
   * count} the misses, {@code budget} the fallbacks over those the class's objective allows.
   */
  MISS_TO_FALLBACK("missToFallback", null, null),
  /** Per stream, the largest gap between consecutive chunks. */
  STREAM_MAX_GAP("streamMaxGap", Metric.STREAM_MAX_GAP, null),
  /**
   * Streams with a stall over streams that reported stalls ({@code rate}); stalls ({@code count}).
   */
  STREAM_STALLS("streamStalls", null, null),
  /** The time into the stream at which interrupted streams broke, per cause. */
  STREAM_CUT_IDLE_TIMEOUT("streamCutIdleTimeout", Metric.STREAM_CUT_IDLE_TIMEOUT, null),
  STREAM_CUT_UPSTREAM_RESET("streamCutUpstreamReset", Metric.STREAM_CUT_UPSTREAM_RESET, null),
  STREAM_CUT_NETWORK("streamCutNetwork", Metric.STREAM_CUT_NETWORK, null),
  STREAM_CUT_SERVER_ERROR("streamCutServerError", Metric.STREAM_CUT_SERVER_ERROR, null),
  STREAM_CUT_UNKNOWN("streamCutUnknown", Metric.STREAM_CUT_UNKNOWN, null),
  /** The time into the stream at which users cancelled (not interruptions). */
  STREAM_CUT_CANCELLED("streamCutCancelled", Metric.STREAM_CUT_CANCELLED, null);

  /** A statistic of one step. */
  public enum Stat {
    P50("p50"),
    P90("p90"),
    P95("p95"),
    P99("p99"),
    MAX("max"),
    /** Values (latencies), streams or retrievals. */
    COUNT("count"),
    /** Interrupted / streams. */
    RATE("rate"),
    /** Good ratio of a latency SLI; fallbacks / retrievals. */
    RATIO("ratio"),
    /** Shed requests / requests. */
    SHED_RATE("shedRate"),
    /** Deferred requests / requests. */
    DEFERRED_RATE("deferredRate"),
    /** Requests served degraded / requests. */
    DEGRADED_RATE("degradedRate"),
    /** Mean of a count per request. */
    MEAN("mean"),
    /**
     * Fallbacks over the fallbacks the class's objective allows for the step's retrievals ({@code
     * maxFallbackRatio x retrievals}): 1 spends exactly the budget, above 1 overspends it.
     */
    BUDGET("budget");

    private final String id;

    Stat(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    /** The statistic with this API name, or null. */
    public static Stat fromId(String id) {
      for (Stat s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      return null;
    }
  }

  private final String id;
  private final Metric metric;
  private final Sli sli;

  Signal(String id, Metric metric, Sli sli) {
    this.id = id;
    this.metric = metric;
    this.sli = sli;
  }

  public String id() {
    return id;
  }

  /** The signal with this API name, or null. */
  public static Signal fromId(String id) {
    for (Signal s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    return null;
  }

  /** The latency histogram behind it, null for the counter SLIs. */
  public Metric metric() {
    return metric;
  }

  /** The SLI with an objective, null for the TTFT components. */
  public Sli sli() {
    return sli;
  }

  /** The statistics that fit this signal. */
  public Set<Stat> stats() {
    return switch (this) {
      case TTFT, TOOLCHAIN_LATENCY ->
          EnumSet.of(Stat.P50, Stat.P90, Stat.P95, Stat.P99, Stat.MAX, Stat.COUNT, Stat.RATIO);
      case EDGE,
          MESH,
          MODEL,
          MODEL_QUEUE,
          STREAM_MAX_GAP,
          STREAM_CUT_IDLE_TIMEOUT,
          STREAM_CUT_UPSTREAM_RESET,
          STREAM_CUT_NETWORK,
          STREAM_CUT_SERVER_ERROR,
          STREAM_CUT_UNKNOWN,
          STREAM_CUT_CANCELLED ->
          EnumSet.of(Stat.P50, Stat.P90, Stat.P95, Stat.P99, Stat.MAX, Stat.COUNT);
      case STREAM_STALLS -> EnumSet.of(Stat.RATE, Stat.COUNT);
      case STREAM_INTERRUPTION -> EnumSet.of(Stat.RATE, Stat.COUNT);
      case RETRIEVAL_FALLBACK -> EnumSet.of(Stat.RATIO, Stat.COUNT);
      case ADMISSION ->
          EnumSet.of(Stat.SHED_RATE, Stat.DEFERRED_RATE, Stat.DEGRADED_RATE, Stat.COUNT);
      case E2E -> EnumSet.of(Stat.P50, Stat.P90, Stat.P95, Stat.P99, Stat.MAX, Stat.COUNT);
      case RETRIEVALS_PER_REQUEST, TOOL_CALLS_PER_REQUEST ->
          EnumSet.of(Stat.P50, Stat.P90, Stat.P95, Stat.P99, Stat.MAX, Stat.COUNT, Stat.MEAN);
      case MISS_TO_FALLBACK -> EnumSet.of(Stat.RATIO, Stat.COUNT, Stat.BUDGET);
    };
  }

  /** True when its values are latencies (microseconds stored, milliseconds shown). */
  public boolean latency() {
    return metric != null && !metric.isCount();
  }

  /** Histograms needed for {@code stat}. */
  Set<Metric> metrics(Stat stat) {
    if (metric == null) {
      return EnumSet.noneOf(Metric.class);
    }
    if (this == TOOLCHAIN_LATENCY && stat == Stat.RATIO) {
      return EnumSet.of(Metric.TOOLCHAIN, Metric.TOOLCHAIN_FAILED);
    }
    return EnumSet.of(metric);
  }

  /** Counters needed for {@code stat}. */
  Set<Counter> counters(Stat stat) {
    if (this == ADMISSION) {
      return EnumSet.of(Counter.REQUESTS, Counter.ADMISSION, Counter.DEGRADED);
    }
    if (this == STREAM_STALLS) {
      return EnumSet.of(Counter.STALL_REPORTS, Counter.STALLED_STREAMS, Counter.STALLS);
    }
    if (this == MISS_TO_FALLBACK) {
      return EnumSet.of(Counter.RETRIEVALS, Counter.RETRIEVAL_MISSES, Counter.RETRIEVAL_FALLBACKS);
    }
    if (sli == null || (metric != null && stat != Stat.RATIO)) {
      return EnumSet.noneOf(Counter.class);
    }
    return Sli.COUNTERS;
  }
}
