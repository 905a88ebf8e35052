package dev.tierscope.sdk;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Keeps what it is asked to export; can be made to hold exports until released, or to throw. */
final class RecordingExporter implements SpanExporter {

  private final List<SpanData> spans = new ArrayList<>();
  private final CountDownLatch release;
  private final boolean throwOnExport;

  RecordingExporter() {
    this(null, false);
  }

  RecordingExporter(CountDownLatch release, boolean throwOnExport) {
    this.release = release;
    this.throwOnExport = throwOnExport;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> batch) {
    if (throwOnExport) {
      throw new IllegalStateException("exporter broke");
    }
    if (release != null) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableResultCode.ofFailure();
      }
    }
    synchronized (spans) {
      spans.addAll(batch);
    }
    return CompletableResultCode.ofSuccess();
  }

  List<SpanData> spans() {
    synchronized (spans) {
      return new ArrayList<>(spans);
    }
  }

  SpanData named(String name) {
    return spans().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span named " + name + " in " + spans()));
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
