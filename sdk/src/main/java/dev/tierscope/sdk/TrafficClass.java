package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes.Classes;

/** The default traffic classes of Tierscope, as sent in {@code tierscope.class}. */
public enum TrafficClass {
  /** Latency-critical interactive traffic (default TTFT objective 800 ms at 95%). */
  INTERACTIVE_PREMIUM(Classes.INTERACTIVE_PREMIUM),
  /** Ordinary interactive traffic (default TTFT objective 1500 ms at 95%). */
  STANDARD_INTERACTIVE(Classes.STANDARD_INTERACTIVE),
  /** Deferred batch work (default TTFT objective 30 s at 95%). */
  DEFERRED_BATCH(Classes.DEFERRED_BATCH);

  private final String value;

  TrafficClass(String value) {
    this.value = value;
  }

  /** The attribute value, e.g. {@code interactive_premium}. */
  public String value() {
    return value;
  }

  /** The class whose {@link #value()} is {@code value}, or {@code null} when none is. */
  public static TrafficClass fromValue(String value) {
    for (TrafficClass c : values()) {
      if (c.value.equals(value)) {
        return c;
      }
    }
    return null;
  }
}
