package dev.tierscope.sdk;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts behind {@link ExportStats}, shared by the {@link BoundedSpanProcessor} (admission and
 * drops) and the {@link CountingSpanExporter} (what left the queue and how its export ended).
 */
final class ExportCounters {

  final LongAdder ended = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder exported = new LongAdder();
  final LongAdder failed = new LongAdder();

  /**
   * Spans admitted to the batch processor's queue and not yet handed to the exporter. It is raised
   * before a span enters the queue and lowered only after the span left it, so it is never below
   * the queue's real length: admitting only while it is below the queue's capacity means the batch
   * processor itself never has to drop a span uncounted.
   */
  final AtomicInteger queued = new AtomicInteger();

  ExportStats snapshot() {
    // Read the outcomes before the admissions: a span exported between the two reads then shows
    // as pending rather than as a negative count.
    long e = exported.sum();
    long f = failed.sum();
    long d = dropped.sum();
    long n = ended.sum();
    return new ExportStats(n, d, e, f, Math.max(0, n - d - e - f));
  }
}
