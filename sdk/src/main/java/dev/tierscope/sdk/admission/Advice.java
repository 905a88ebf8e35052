package dev.tierscope.sdk.admission;

import dev.tierscope.sdk.Admission;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What Tierscope advises a gateway to do with one class's requests now (one control signal, as the
 * {@link AdmissionAdvisor} last heard it).
 *
 * @param trafficClass class
 * @param action admit, degrade, defer or shed
 * @param degradationLevel 1 to 3 with {@link Action#DEGRADE} (1 compress retrieval breadth, 2
 *     single-tool plans, 3 concise answers), 0 otherwise
 * @param since when the class got this advice
 * @param expiresAt after this the advice no longer holds and the advisor admits (fail open); null
 *     for the advisor's own default advice
 * @param reasons Tierscope's reasons, for logs
 */
public record Advice(
    String trafficClass,
    Action action,
    int degradationLevel,
    Instant since,
    Instant expiresAt,
    List<String> reasons) {

  /** The signal's action. */
  public enum Action {
    /** Serve normally. */
    ADMIT,
    /** Serve with {@link #degradationLevel()}. */
    DEGRADE,
    /** Start no new request now (answer "retry later"); give back the ones still queued. */
    DEFER,
    /** Serve nothing: refuse new requests, cancel queued and running ones. */
    SHED;

    /** The name on the wire ({@code admit}, {@code degrade}, {@code defer}, {@code shed}). */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code value} (any case). */
    public static Action parse(String value) {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
  }

  public Advice {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    if (action != Action.DEGRADE) {
      degradationLevel = 0;
    } else if (degradationLevel < 1 || degradationLevel > 3) {
      throw new IllegalArgumentException("degrade needs a level of 1 to 3");
    }
  }

  /** Admit, with no reason: what the advisor says without a valid signal. */
  public static Advice admit(String trafficClass) {
    return new Advice(trafficClass, Action.ADMIT, 0, null, null, List.of());
  }

  /** Whether a new request may start (admit or degrade). */
  public boolean admits() {
    return action == Action.ADMIT || action == Action.DEGRADE;
  }

  /**
   * What to record on the gateway span ({@link dev.tierscope.sdk.RequestSpan#admission}) when a new
   * request follows this advice.
   */
  public Admission admission() {
    return switch (action) {
      case ADMIT, DEGRADE -> Admission.ADMITTED;
      case DEFER -> Admission.DEFERRED;
      case SHED -> Admission.SHED;
    };
  }

  /** {@code admit}, {@code degrade-2}, {@code defer} or {@code shed}. */
  public String decision() {
    return action == Action.DEGRADE ? "degrade-" + degradationLevel : action.value();
  }
}
