package dev.tierscope.sdk;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/**
 * Counts what the batch processor hands to the real exporter and how each export ended, and keeps
 * an exporter that throws from reaching the batch processor's thread.
 */
final class CountingSpanExporter implements SpanExporter {

  private final SpanExporter delegate;
  private final ExportCounters counters;

  CountingSpanExporter(SpanExporter delegate, ExportCounters counters) {
    this.delegate = delegate;
    this.counters = counters;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    int n = spans.size();
    // These spans have left the batch processor's queue: make room for new ones.
    counters.queued.addAndGet(-n);
    CompletableResultCode result;
    try {
      result = delegate.export(spans);
    } catch (RuntimeException e) {
      counters.failed.add(n);
      return CompletableResultCode.ofFailure();
    }
    result.whenComplete(
        () -> {
          if (result.isSuccess()) {
            counters.exported.add(n);
          } else {
            counters.failed.add(n);
          }
        });
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    try {
      return delegate.flush();
    } catch (RuntimeException e) {
      return CompletableResultCode.ofFailure();
    }
  }

  @Override
  public CompletableResultCode shutdown() {
    try {
      return delegate.shutdown();
    } catch (RuntimeException e) {
      return CompletableResultCode.ofFailure();
    }
  }

  @Override
  public String toString() {
    return "CountingSpanExporter{" + delegate + "}";
  }
}
