package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes.Admissions;

/**
 * What a gateway did with a request ({@code tierscope.admission}), recorded on its span so that
 * Tierscope counts what was shed, deferred and degraded per class.
 */
public enum Admission {
  /** Served (possibly degraded). */
  ADMITTED(Admissions.ADMITTED),
  /** Not started now: the client was told to retry later. */
  DEFERRED(Admissions.DEFERRED),
  /** Refused, or cancelled while waiting or streaming, to relieve the model tier. */
  SHED(Admissions.SHED);

  private final String value;

  Admission(String value) {
    this.value = value;
  }

  /** The attribute value. */
  public String value() {
    return value;
  }
}
