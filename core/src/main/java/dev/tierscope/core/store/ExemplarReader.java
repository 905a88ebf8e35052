package dev.tierscope.core.store;

import java.time.Instant;
import java.util.List;

/**
 * The API's read seam for exemplars: the slowest requests (by TTFT) the store kept for the raw
 * windows of a range, so that a tail percentile leads to the traces behind it.
 *
 * <p>What is kept is decided on the write side: {@link CheckpointStore#commit} keeps, per (tenant,
 * class, raw window), the {@link dev.tierscope.core.window.Exemplar#KEPT_PER_WINDOW} slowest
 * exemplars of every delta committed into it (a trace id seen twice in a window keeps its first
 * value). Rollups keep none, and retention drops them together with the raw windows.
 *
 * <pre>{@code
 * List<StoredExemplar> slowest = exemplars.slowest("default", "interactive_premium", from, to, 20);
 * }</pre>
 */
public interface ExemplarReader {

  /**
   * The slowest exemplars of the raw windows starting in {@code [from, to)}, slowest first; ties by
   * trace id, so that the answer is stable. An empty or inverted range has none.
   *
   * @param limit most exemplars returned, at least 1
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  List<StoredExemplar> slowest(
      String tenant, String trafficClass, Instant from, Instant to, int limit);
}
