package dev.tierscope.core.window;

import dev.tierscope.core.assembly.RequestSummary;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;

/**
 * One of the slowest requests of a window, so that a dashboard can link a percentile to a trace,
 * with where its first-token time went, so that the attribution can name its dominant tier.
 *
 * @param traceId 32 hex characters
 * @param ttftMicros the request's time to first token in microseconds
 * @param breakdown its TTFT components and sub-signals; {@link Breakdown#UNKNOWN} when not kept
 */
public record Exemplar(String traceId, long ttftMicros, Breakdown breakdown) {

  /** An exemplar without its breakdown (stored before breakdowns were kept). */
  public Exemplar(String traceId, long ttftMicros) {
    this(traceId, ttftMicros, Breakdown.UNKNOWN);
  }

  public Exemplar {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(breakdown, "breakdown");
  }

  /**
   * A request's TTFT split into edge, mesh and model ({@code ttft = edge + mesh + model}) and the
   * sub-signals that say which part of a tier it was. Durations are microseconds, -1 when unknown.
   *
   * @param edgeMicros client-observed minus gateway-observed TTFT
   * @param meshMicros gateway-observed TTFT minus the model component
   * @param modelMicros model span start to its first token (queue and prefill)
   * @param queueMicros the model's queue time
   * @param meshRole the mesh role with the most span time ({@code retrieval}, {@code tool}, {@code
   *     policy}, {@code internal}), {@code none} without mesh spans, empty when unknown
   * @param clientPath the client's path ({@code direct}, {@code vpn}, ...), empty when unknown
   * @param protocolFallback the client's transport fell back to an older protocol
   * @param retransmits transport retransmissions the client saw
   */
  public record Breakdown(
      long edgeMicros,
      long meshMicros,
      long modelMicros,
      long queueMicros,
      String meshRole,
      String clientPath,
      boolean protocolFallback,
      int retransmits) {

    /** Nothing known. */
    public static final Breakdown UNKNOWN = new Breakdown(-1, -1, -1, -1, "", "", false, 0);

    public Breakdown {
      Objects.requireNonNull(meshRole, "meshRole");
      Objects.requireNonNull(clientPath, "clientPath");
    }

    /** The breakdown of an assembled request. */
    public static Breakdown of(RequestSummary r) {
      return new Breakdown(
          r.edgeMicros(),
          r.meshMicros(),
          r.modelMicros(),
          r.modelQueueMicros(),
          r.dominantMeshRole().name().toLowerCase(Locale.ROOT),
          r.clientPath(),
          r.protocolFallback(),
          r.retransmits());
    }
  }

  /** Exemplars kept per raw window, by the aggregator per delta and by the store per window. */
  public static final int KEPT_PER_WINDOW = 5;

  /** Slowest first; ties by trace id, so that which ones are kept and their order are stable. */
  public static final Comparator<Exemplar> SLOWEST_FIRST =
      Comparator.comparingLong(Exemplar::ttftMicros).reversed().thenComparing(Exemplar::traceId);
}
