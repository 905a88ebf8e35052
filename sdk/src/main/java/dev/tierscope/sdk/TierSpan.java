package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Instant;

/**
 * One span of a request, started by the SDK with its Tierscope role already set. Methods never
 * throw and ignore {@code null} arguments; ending twice keeps the first end.
 *
 * @param <S> the concrete type, so that setters chain
 */
public abstract class TierSpan<S extends TierSpan<S>> extends SpanParent {

  final Span span;
  private final Context context;

  // Stream continuity, measured from chunk() calls; guarded by itself.
  private final long[] chunks = {Long.MIN_VALUE, -1, 0, 0}; // last, max gap, stalls, count
  private volatile InterruptionCause cause;
  private volatile long statedMaxGapNanos = -1;
  private volatile long statedStalls = -1;

  TierSpan(Tierscope owner, Span span, Context parent) {
    super(owner);
    this.span = span;
    this.context = (parent == null ? Context.root() : parent).with(span);
  }

  @SuppressWarnings("unchecked")
  final S self() {
    return (S) this;
  }

  @Override
  public Context context() {
    return context;
  }

  /** The trace id, 32 lowercase hex characters. */
  public String traceId() {
    return span.getSpanContext().getTraceId();
  }

  /** The span id, 16 lowercase hex characters. */
  public String spanId() {
    return span.getSpanContext().getSpanId();
  }

  /** The underlying OpenTelemetry span, for attributes the conventions do not cover. */
  public Span span() {
    return span;
  }

  /** Makes this span current on this thread, for other OpenTelemetry instrumentation to use. */
  public Scope makeCurrent() {
    return context.makeCurrent();
  }

  /** Sets a string attribute (ignored when either argument is null). */
  public S attribute(String key, String value) {
    if (key != null && value != null) {
      span.setAttribute(key, value);
    }
    return self();
  }

  /** Sets a long attribute. */
  public S attribute(String key, long value) {
    if (key != null) {
      span.setAttribute(key, value);
    }
    return self();
  }

  /** Sets a double attribute. */
  public S attribute(String key, double value) {
    if (key != null) {
      span.setAttribute(key, value);
    }
    return self();
  }

  /** Sets a boolean attribute. */
  public S attribute(String key, boolean value) {
    if (key != null) {
      span.setAttribute(key, value);
    }
    return self();
  }

  /** Marks the span as failed (status ERROR) with a short description. */
  public S error(String description) {
    span.setStatus(StatusCode.ERROR, description == null ? "" : description);
    return self();
  }

  /** Marks the span as failed and records the exception as a span event. */
  public S error(Throwable exception) {
    if (exception != null) {
      span.recordException(exception);
      span.setStatus(StatusCode.ERROR, String.valueOf(exception.getMessage()));
    } else {
      span.setStatus(StatusCode.ERROR);
    }
    return self();
  }

  /** Ends the span now. */
  public void end() {
    span.end();
  }

  /** Ends the span at {@code end} (now when null). */
  public void end(Instant end) {
    if (end == null) {
      span.end();
    } else {
      span.end(end);
    }
  }

  /** Adds the {@code first_token} event at {@code at} (now when null). */
  final void addFirstToken(Instant at) {
    if (at == null) {
      span.addEvent(SpanAttributes.FIRST_TOKEN_EVENT);
    } else {
      span.addEvent(SpanAttributes.FIRST_TOKEN_EVENT, at);
    }
  }

  /**
   * Records one chunk at {@code at} (now when null): the gaps between consecutive chunks give the
   * largest gap ({@code tierscope.stream.max_gap_ms}) and the stalls ({@code
   * tierscope.stream.stalls}, gaps longer than the stall threshold of {@link
   * TierscopeBuilder#stallThreshold}), set when the span ends after at least two chunks.
   */
  final void addChunk(Instant at) {
    Instant when = at == null ? Instant.now() : at;
    long nanos = when.getEpochSecond() * 1_000_000_000L + when.getNano();
    synchronized (chunks) {
      long last = chunks[0];
      chunks[0] = nanos;
      chunks[3]++;
      if (last == Long.MIN_VALUE) {
        return;
      }
      long gap = Math.max(0, nanos - last);
      chunks[1] = Math.max(chunks[1], gap);
      if (gap > owner.stallThresholdNanos()) {
        chunks[2]++;
      }
    }
  }

  /** The largest gap and the stalls as measured elsewhere; they win over chunk() calls. */
  final void gaps(java.time.Duration maxGap, long stalls) {
    if (maxGap != null && !maxGap.isNegative()) {
      statedMaxGapNanos = maxGap.toNanos();
    }
    if (stalls >= 0) {
      statedStalls = stalls;
    }
  }

  /** The cause reported with {@link Outcome#INTERRUPTED}; ignored for other outcomes. */
  final void cause(InterruptionCause cause) {
    if (cause != null) {
      this.cause = cause;
    }
  }

  /** Applies {@code outcome} (stream outcome and status) and ends the span at {@code end}. */
  final void endWith(Outcome outcome, Instant end, boolean streamed) {
    if (streamed) {
      long maxGap = statedMaxGapNanos;
      long stalls = statedStalls;
      synchronized (chunks) {
        if (chunks[3] >= 2) {
          maxGap = maxGap >= 0 ? maxGap : chunks[1];
          stalls = stalls >= 0 ? stalls : chunks[2];
        }
      }
      if (maxGap >= 0) {
        span.setAttribute(SpanAttributes.STREAM_MAX_GAP_MS, maxGap / 1e6);
      }
      if (stalls >= 0) {
        span.setAttribute(SpanAttributes.STREAM_STALLS, stalls);
      }
    }
    if (outcome != null) {
      if (streamed && outcome.streamOutcome() != null) {
        span.setAttribute(SpanAttributes.STREAM_OUTCOME, outcome.streamOutcome());
      }
      InterruptionCause c = cause;
      if (streamed && outcome == Outcome.INTERRUPTED && c != null) {
        span.setAttribute(SpanAttributes.STREAM_INTERRUPTION_CAUSE, c.value());
      }
      if (outcome.error()) {
        span.setStatus(StatusCode.ERROR, outcome.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    end(end);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + span.getSpanContext() + "}";
  }
}
