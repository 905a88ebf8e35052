package dev.tierscope.core.control;

import java.util.Locale;

/**
 * What a gateway is told to do with the requests of a class (the {@code action} of a {@link
 * ControlSignal}).
 *
 * <p>The actions, from the mildest: serve normally; serve a cheaper plan (a degradation level);
 * start no new request now and hand back the ones still waiting for the model (the client retries
 * later); stop serving the class, cancelling its waiting and running requests as well.
 */
public enum Action {
  /** Serve normally. */
  ADMIT("admit"),
  /** Serve with the signal's degradation level (1 to 3). */
  DEGRADE("degrade"),
  /**
   * Start no new request of the class now (answer "retry later"), and withdraw the ones still
   * queued for the model; requests already streaming finish.
   */
  DEFER("defer"),
  /**
   * Serve nothing of the class: refuse new requests and cancel the queued and running ones (their
   * streams end as interrupted), freeing the model tier at once.
   */
  SHED("shed");

  private final String id;

  Action(String id) {
    this.id = id;
  }

  /** The name in the API, the Kafka topic and the configuration. */
  public String id() {
    return id;
  }

  /** The action named {@code id} (any case). */
  public static Action fromId(String id) {
    String v = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
    for (Action a : values()) {
      if (a.id.equals(v)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown action '" + id + "' (admit, degrade, defer, shed)");
  }

  /** Whether the action stops new requests of the class from reaching the model. */
  public boolean refuses() {
    return this == DEFER || this == SHED;
  }
}
