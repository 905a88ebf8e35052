package dev.tierscope.core.window;

import java.util.Comparator;

/**
 * One of the slowest requests of a window, so that a dashboard can link a percentile to a trace.
 *
 * @param traceId 32 hex characters
 * @param ttftMicros the request's time to first token in microseconds
 */
public record Exemplar(String traceId, long ttftMicros) {

  /** Exemplars kept per raw window, by the aggregator per delta and by the store per window. */
  public static final int KEPT_PER_WINDOW = 5;

  /** Slowest first; ties by trace id, so that which ones are kept and their order are stable. */
  public static final Comparator<Exemplar> SLOWEST_FIRST =
      Comparator.comparingLong(Exemplar::ttftMicros).reversed().thenComparing(Exemplar::traceId);
}
