package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes.StreamOutcomes;

/**
 * How a request (or a model call) ended, as the {@code stream_interruption} SLI needs to know it.
 */
public enum Outcome {
  /** The answer was delivered completely. */
  COMPLETED(StreamOutcomes.COMPLETED, false),
  /**
   * The stream broke after it started (reset, timeout, upstream error); counts against the
   * interruption objective and marks the span as an error.
   */
  INTERRUPTED(StreamOutcomes.INTERRUPTED, true),
  /** The user stopped the answer; not an interruption and not an error. */
  CANCELLED(StreamOutcomes.CANCELLED, false),
  /**
   * The request failed before any answer streamed: the span is an error and carries no stream
   * outcome (there was no stream to interrupt).
   */
  FAILED(null, true);

  private final String streamOutcome;
  private final boolean error;

  Outcome(String streamOutcome, boolean error) {
    this.streamOutcome = streamOutcome;
    this.error = error;
  }

  /** The {@code tierscope.stream.outcome} value, or {@code null} for {@link #FAILED}. */
  public String streamOutcome() {
    return streamOutcome;
  }

  /** Whether the span's status becomes ERROR. */
  public boolean error() {
    return error;
  }
}
