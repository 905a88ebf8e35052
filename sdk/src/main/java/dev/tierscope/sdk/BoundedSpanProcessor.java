package dev.tierscope.sdk;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Admits ended spans to a {@code BatchSpanProcessor} only while its queue has room, and counts the
 * ones it turns away.
 *
 * <p>Why a wrapper: the batch processor never blocks {@code Span.end()} (its queue is bounded and
 * it drops when full), but it reports those drops only through internal metrics whose names change
 * between OpenTelemetry versions. Counting admissions here, against exactly the queue capacity the
 * batch processor was built with, gives an exact {@link ExportStats#dropped()} without a metrics
 * pipeline and still never waits.
 */
final class BoundedSpanProcessor implements SpanProcessor {

  private final SpanProcessor delegate;
  private final int capacity;
  private final ExportCounters counters;
  private volatile boolean shutdown;

  BoundedSpanProcessor(SpanProcessor delegate, int capacity, ExportCounters counters) {
    this.delegate = delegate;
    this.capacity = capacity;
    this.counters = counters;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    // The batch processor needs no start callback (isStartRequired() is false).
  }

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (!span.getSpanContext().isSampled()) {
      return; // the batch processor ignores it too; Tierscope samples everything
    }
    counters.ended.increment();
    if (shutdown) {
      counters.dropped.increment();
      return;
    }
    int q;
    do {
      q = counters.queued.get();
      if (q >= capacity) {
        counters.dropped.increment();
        return;
      }
    } while (!counters.queued.compareAndSet(q, q + 1));
    try {
      delegate.onEnd(span);
    } catch (RuntimeException e) {
      counters.queued.decrementAndGet();
      counters.dropped.increment();
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return delegate.forceFlush();
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdown = true;
    return delegate.shutdown();
  }
}
