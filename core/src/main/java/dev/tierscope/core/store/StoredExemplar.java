package dev.tierscope.core.store;

import dev.tierscope.core.window.Exemplar;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * An exemplar as the store kept it: the request the aggregator recorded and the raw window it was
 * recorded in. Whatever {@link Exemplar} carries comes back unchanged.
 *
 * @param windowStart start of the raw window the request was recorded in
 * @param exemplar the request
 */
public record StoredExemplar(Instant windowStart, Exemplar exemplar) {

  /** The order of {@link ExemplarReader#slowest}: slowest first, then by trace id. */
  public static final Comparator<StoredExemplar> SLOWEST_FIRST =
      Comparator.comparing(StoredExemplar::exemplar, Exemplar.SLOWEST_FIRST);

  public StoredExemplar {
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(exemplar, "exemplar");
  }
}
