package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes.InterruptionCauses;

/**
 * Why a stream broke ({@code tierscope.stream.interruption_cause}), reported with {@link
 * Outcome#INTERRUPTED}. A user's cancel is {@link Outcome#CANCELLED} and has no cause.
 */
public enum InterruptionCause {
  /** A proxy or load balancer cut a connection it thought idle (or too long). */
  IDLE_TIMEOUT(InterruptionCauses.IDLE_TIMEOUT),
  /** The upstream (model server, gateway) reset the stream. */
  UPSTREAM_RESET(InterruptionCauses.UPSTREAM_RESET),
  /** The network between client and server failed (connection lost, TLS error). */
  NETWORK(InterruptionCauses.NETWORK),
  /** The server answered an error in the middle of the stream. */
  SERVER_ERROR(InterruptionCauses.SERVER_ERROR);

  private final String value;

  InterruptionCause(String value) {
    this.value = value;
  }

  /** The attribute value, e.g. {@code idle_timeout}. */
  public String value() {
    return value;
  }
}
