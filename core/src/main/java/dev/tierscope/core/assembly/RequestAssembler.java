package dev.tierscope.core.assembly;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.TraceId;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups the spans of each trace into one {@link RequestSummary}, for one Kafka partition.
 *
 * <p>Why stream time: a request is complete when its root span has ended and a grace period has
 * passed, measured in the partition's own event time (the latest span end seen), so replaying a
 * topic gives the same result as reading it live. When a partition goes quiet, the owner advances
 * stream time with {@link #advanceStreamTime} so the last requests still complete.
 *
 * <p>Not thread-safe: one partition, one thread.
 *
 * <pre>{@code
 * RequestAssembler assembler = new RequestAssembler(AssemblyConfig.defaults());
 * for (Span span : spans) {
 *   if (assembler.add(span) == AddResult.LATE) {
 *     windows.recordLateSpan(span.tenant(), span.trafficClass(), span.startEpochMicros());
 *   }
 * }
 * assembler.drainCompleted(windows::record);
 * }</pre>
 */
public final class RequestAssembler {

  /** What {@link #add} did with a span. */
  public enum AddResult {
    ASSEMBLED,
    /**
     * Not assembled: older than the allowed lateness and its request no longer in flight, or a span
     * of a request that was completed recently (arrived after the grace period).
     */
    LATE,
    /** A span already added to its in-flight request (a client retry): not counted twice. */
    DUPLICATE
  }

  private final AssemblyConfig config;
  private final long graceMicros;
  private final long maxAgeMicros;
  private final long latenessMicros;

  /** Stream time between two completion scans: a quarter of the grace, at most one second. */
  private final long scanStepMicros;

  private final LinkedHashMap<TraceId, PendingRequest> pending = new LinkedHashMap<>();

  /** Requests evicted by the in-flight cap, emitted as partial on the next drain. */
  private final ArrayDeque<PendingRequest> evicted = new ArrayDeque<>();

  private long streamTimeMicros = Long.MIN_VALUE;
  private long lastScanStreamTimeMicros = Long.MIN_VALUE;
  private long overflowed;
  private long lateSpans;
  private long duplicateSpans;

  /**
   * Traces completed recently, so that a span arriving after its request was emitted (a late child,
   * or a client retry of a whole batch) does not start a second request. Bounded by the in-flight
   * cap; not part of the snapshot (after a restart it starts empty).
   */
  private final LinkedHashMap<TraceId, Boolean> recentlyCompleted;

  public RequestAssembler(AssemblyConfig config) {
    this.config = config;
    this.graceMicros = config.grace().toNanos() / 1_000;
    this.maxAgeMicros = config.maxAge().toNanos() / 1_000;
    this.latenessMicros = config.allowedLateness().toNanos() / 1_000;
    this.scanStepMicros = Math.max(1, Math.min(1_000_000, graceMicros / 4));
    int recentCap = config.maxInFlight();
    this.recentlyCompleted =
        new LinkedHashMap<>(1024, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<TraceId, Boolean> eldest) {
            return size() > recentCap;
          }
        };
  }

  /** Adds one span; its request completes later, see {@link #drainCompleted}. */
  public AddResult add(Span span) {
    PendingRequest p = pending.get(span.traceId());
    if (p != null && p.hasSpan(span.spanId())) {
      duplicateSpans++;
      return AddResult.DUPLICATE;
    }
    if (p == null) {
      if ((streamTimeMicros != Long.MIN_VALUE
              && span.endEpochMicros() < streamTimeMicros - latenessMicros)
          || recentlyCompleted.containsKey(span.traceId())) {
        lateSpans++;
        return AddResult.LATE;
      }
      if (pending.size() >= config.maxInFlight()) {
        evictOldest();
      }
      p = new PendingRequest(span.traceId());
      pending.put(span.traceId(), p);
    }
    p.add(span, config.classRules());
    if (span.endEpochMicros() > streamTimeMicros) {
      streamTimeMicros = span.endEpochMicros();
    }
    return AddResult.ASSEMBLED;
  }

  private void evictOldest() {
    Iterator<Map.Entry<TraceId, PendingRequest>> it = pending.entrySet().iterator();
    PendingRequest oldest = it.next().getValue();
    it.remove();
    overflowed++;
    recentlyCompleted.put(oldest.traceId, Boolean.TRUE);
    evicted.add(oldest);
  }

  /**
   * Moves stream time forward without a span, for a partition that went quiet: the owner passes the
   * latest span end plus the wall-clock time the partition has been idle.
   */
  public void advanceStreamTime(long epochMicros) {
    if (epochMicros > streamTimeMicros) {
      streamTimeMicros = epochMicros;
    }
  }

  /**
   * Hands every request that is complete at the current stream time to {@code sink}: root ended
   * more than the grace period ago, or older than the maximum age (then marked partial).
   *
   * @return the number of requests handed over
   */
  public int drainCompleted(Consumer<RequestSummary> sink) {
    int n = 0;
    while (!evicted.isEmpty()) {
      sink.accept(evicted.poll().summarize(config.fallbackClass(), true));
      n++;
    }
    // A full scan only when stream time moved by a meaningful step: completion deadlines are
    // coarse (seconds), so scanning on every poll would only burn CPU (it was a tenth of the
    // aggregator's time at a 100 ms step).
    if (streamTimeMicros == Long.MIN_VALUE
        || (lastScanStreamTimeMicros != Long.MIN_VALUE
            && streamTimeMicros - lastScanStreamTimeMicros < scanStepMicros)) {
      return n;
    }
    lastScanStreamTimeMicros = streamTimeMicros;
    Iterator<PendingRequest> it = pending.values().iterator();
    while (it.hasNext()) {
      PendingRequest p = it.next();
      boolean rootDone = p.rootSeen && streamTimeMicros >= p.rootEndMicros + graceMicros;
      boolean tooOld = streamTimeMicros >= p.firstStartMicros + maxAgeMicros;
      if (rootDone || tooOld) {
        it.remove();
        recentlyCompleted.put(p.traceId, Boolean.TRUE);
        sink.accept(p.summarize(config.fallbackClass(), !rootDone));
        n++;
      }
    }
    return n;
  }

  /** Requests in flight. */
  public int inFlight() {
    return pending.size();
  }

  /** Latest span end seen (or advanced to), epoch microseconds; Long.MIN_VALUE before any. */
  public long streamTimeMicros() {
    return streamTimeMicros;
  }

  /** Requests emitted early because the in-flight cap was reached, since creation. */
  public long overflowed() {
    return overflowed;
  }

  /** Spans received twice for an in-flight request, since creation. */
  public long duplicateSpans() {
    return duplicateSpans;
  }

  /** Spans counted as late, since creation. */
  public long lateSpans() {
    return lateSpans;
  }

  /**
   * The in-flight state as bytes, for the partition checkpoint: requests being assembled and the
   * stream time; not the raw spans.
   */
  public byte[] snapshot() {
    return AssemblySnapshotCodec.encode(streamTimeMicros, pending.values(), evicted);
  }

  /** Replaces the in-flight state with a {@link #snapshot()}; empty or null means none. */
  public void restore(byte[] snapshot) {
    pending.clear();
    evicted.clear();
    recentlyCompleted.clear();
    streamTimeMicros = Long.MIN_VALUE;
    lastScanStreamTimeMicros = Long.MIN_VALUE;
    if (snapshot == null || snapshot.length == 0) {
      return;
    }
    AssemblySnapshotCodec.Decoded d = AssemblySnapshotCodec.decode(snapshot);
    streamTimeMicros = d.streamTimeMicros();
    for (PendingRequest p : d.pending()) {
      pending.put(p.traceId, p);
    }
    evicted.addAll(d.evicted());
  }
}
