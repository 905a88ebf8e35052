package dev.tierscope.core.assembly;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.TraceId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Why a ceiling on stream time ({@link #limitStreamTime}): one span stamped in the future (a
 * client with a wrong clock, or a record another producer wrote) would otherwise carry stream time
 * with it, complete every open request at once and make every later span look late. The owner keeps
 * the ceiling at its wall clock plus a tolerance; a span ending beyond it is still assembled, it
 * just does not move stream time further. A snapshot holding a stream time beyond the ceiling is
 * restarted on {@link #restore} from the latest span the kept requests hold, so a partition
 * poisoned by an older version heals.
 *
 * <p>Early completion ({@link AssemblyConfig#earlyCompletion()}): a request whose root span has
 * arrived, of which every span id named as a parent by one of its spans has arrived too (no
 * dangling parent), and whose model span and (under a client root) the span under the client have
 * arrived, completes once stream time is {@link AssemblyConfig#earlySettle()} past the arrival of
 * its latest span, instead of waiting for the grace; otherwise the grace stays the bound. A span of
 * it that arrives afterwards (a leaf exported late: nothing names a leaf as a parent) finds the
 * trace among the recently completed ones and is counted {@link AddResult#LATE}, never merged into
 * a second request.
 *
 * <p>Caps: at most {@link AssemblyConfig#maxInFlight()} open requests (the oldest is emitted as
 * partial), and per trace at most {@link AssemblyConfig#maxSpansPerTrace()} spans and {@link
 * AssemblyConfig#maxBytesPerTrace()} bytes (further spans are refused, {@link
 * AddResult#TRACE_TOO_LARGE}). Duplicate detection is O(1) per span.
 *
 * <p>Not thread-safe: one partition, one thread.
 *
 * <pre>{@code
 * RequestAssembler assembler = new RequestAssembler(AssemblyConfig.defaults());
 * assembler.limitStreamTime(clock.millis() * 1_000);
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
    DUPLICATE,
    /** Not assembled: its request already holds the most spans or bytes a trace may have. */
    TRACE_TOO_LARGE
  }

  /**
   * What {@link #restore} found in a snapshot that it would not keep.
   *
   * @param streamTimeMicros the stream time the snapshot held, epoch microseconds
   * @param streamTimeClamped the stream time lay beyond the ceiling and was reset (to the latest
   *     span the kept requests hold, within it)
   * @param requestsDropped open requests that started beyond {@code maxEventTimeMicros}: they could
   *     not have been accepted, and would sit in memory until the clock catches up
   */
  public record Restored(long streamTimeMicros, boolean streamTimeClamped, int requestsDropped) {
    /** Nothing changed. */
    public static final Restored CLEAN = new Restored(Long.MIN_VALUE, false, 0);
  }

  /**
   * A request that could not be written into the snapshot, left out of it and of the state.
   *
   * @param traceId its trace
   * @param tenant its tenant
   * @param reason why it could not be written
   */
  public record Unstorable(TraceId traceId, String tenant, String reason) {}

  private final AssemblyConfig config;
  private final long graceMicros;
  private final long maxAgeMicros;
  private final long latenessMicros;
  private final boolean early;
  private final long settleMicros;

  /** Stream time between two completion scans: a quarter of the grace, at most one second. */
  private final long scanStepMicros;

  private final LinkedHashMap<TraceId, PendingRequest> pending = new LinkedHashMap<>();

  /** Requests evicted by the in-flight cap, emitted as partial on the next drain. */
  private final ArrayDeque<PendingRequest> evicted = new ArrayDeque<>();

  /**
   * Traces completed recently, so that a span arriving after its request was emitted (a late child,
   * or a client's retried batch, also after a restart) does not start a second request. Kept while
   * their spans could still pass the lateness rule, at most {@link AssemblyConfig#maxInFlight()},
   * and in the snapshot.
   */
  private RecentTraces recentlyCompleted = new RecentTraces();

  private long streamTimeMicros = Long.MIN_VALUE;
  private long streamTimeCeilingMicros = Long.MAX_VALUE;
  private long lastScanStreamTimeMicros = Long.MIN_VALUE;
  private long overflowed;
  private long lateSpans;
  private long duplicateSpans;
  private long spansOverTraceCap;
  private long completedEarly;
  private final List<Unstorable> unstorable = new ArrayList<>(0);

  public RequestAssembler(AssemblyConfig config) {
    this.config = config;
    this.graceMicros = config.grace().toNanos() / 1_000;
    this.maxAgeMicros = config.maxAge().toNanos() / 1_000;
    this.latenessMicros = config.allowedLateness().toNanos() / 1_000;
    this.early = config.earlyCompletion();
    this.settleMicros = config.earlySettle().toNanos() / 1_000;
    long step = Math.min(1_000_000, graceMicros / 4);
    if (early) {
      // Half the settle time, but not below 100 ms of stream time: each scan walks every open
      // request.
      step = Math.min(step, Math.max(100_000, settleMicros / 2));
    }
    this.scanStepMicros = Math.max(1, step);
  }

  /** Adds one span of unknown size; see {@link #add(Span, int)}. */
  public AddResult add(Span span) {
    return add(span, 0);
  }

  /**
   * Adds one span; its request completes later, see {@link #drainCompleted}.
   *
   * @param sizeBytes its serialized size (the Kafka record value), for the per-trace byte cap
   */
  public AddResult add(Span span, int sizeBytes) {
    PendingRequest p = pending.get(span.traceId());
    if (p != null) {
      if (p.hasSpan(span.spanId())) {
        duplicateSpans++;
        return AddResult.DUPLICATE;
      }
      if (p.spanCount() >= config.maxSpansPerTrace()
          || p.bytes + sizeBytes > config.maxBytesPerTrace()) {
        spansOverTraceCap++;
        return AddResult.TRACE_TOO_LARGE;
      }
    } else {
      if ((streamTimeMicros != Long.MIN_VALUE
              && span.endEpochMicros() < streamTimeMicros - latenessMicros)
          || recentlyCompleted.contains(span.traceId())) {
        lateSpans++;
        return AddResult.LATE;
      }
      if (pending.size() >= config.maxInFlight()) {
        evictOldest();
      }
      p = new PendingRequest(span.traceId(), early);
      pending.put(span.traceId(), p);
    }
    p.add(span, config.classRules());
    p.bytes += Math.max(0, sizeBytes);
    long end = Math.min(span.endEpochMicros(), streamTimeCeilingMicros);
    if (end > streamTimeMicros) {
      streamTimeMicros = end;
    }
    p.lastArrivalStreamMicros = streamTimeMicros;
    return AddResult.ASSEMBLED;
  }

  private void evictOldest() {
    Iterator<Map.Entry<TraceId, PendingRequest>> it = pending.entrySet().iterator();
    PendingRequest oldest = it.next().getValue();
    it.remove();
    overflowed++;
    recentlyCompleted.add(oldest.traceId, rememberedFrom(oldest, false));
    evicted.add(oldest);
  }

  /**
   * Stream time never moves beyond {@code ceilingMicros} (epoch microseconds) from now on, whatever
   * a span says; the owner passes its wall clock plus a tolerance before each batch of records.
   * Stream time already beyond it stays where it is until the ceiling passes it (use {@link
   * #restore} to heal a snapshot).
   */
  public void limitStreamTime(long ceilingMicros) {
    this.streamTimeCeilingMicros = ceilingMicros;
  }

  /**
   * Moves stream time forward without a span, for a partition that went quiet: the owner passes the
   * latest span end plus the wall-clock time the partition has been idle. Never beyond the ceiling.
   */
  public void advanceStreamTime(long epochMicros) {
    long to = Math.min(epochMicros, streamTimeCeilingMicros);
    if (to > streamTimeMicros) {
      streamTimeMicros = to;
    }
  }

  /**
   * Hands every request that is complete at the current stream time to {@code sink}: root ended
   * more than the grace period ago, settled with no parent missing (early completion, when on), or
   * older than the maximum age (then marked partial).
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
      boolean settled = !rootDone && early && p.settled(streamTimeMicros, settleMicros);
      boolean tooOld = streamTimeMicros >= p.firstStartMicros + maxAgeMicros;
      if (rootDone || settled || tooOld) {
        it.remove();
        // Completed early, a span ending after the root (an asynchronous child) may still come:
        // remembered from the stream time of completion, as a request completed by age is.
        recentlyCompleted.add(p.traceId, rememberedFrom(p, rootDone));
        if (settled) {
          completedEarly++;
        }
        sink.accept(p.summarize(config.fallbackClass(), !rootDone && !settled));
        n++;
      }
    }
    // From now on the lateness rule catches every span of a trace remembered from this far behind
    // (see rememberedFrom); remembering it longer would only grow the snapshot.
    recentlyCompleted.evict(streamTimeMicros - latenessMicros, config.maxInFlight());
    return n;
  }

  /**
   * The time a completed trace stays remembered from (for the allowed lateness): its latest span
   * end when its root completed it (the other spans of a request end before its root), else the
   * stream time it completed at when later. A request completed by its age or by the cap has not
   * seen all its spans: one that ends after the latest seen (its root, typically) is not caught by
   * the lateness rule, and without the trace remembered it would start a second request, counted
   * twice. From completion on, such a span is late for the allowed lateness.
   */
  private long rememberedFrom(PendingRequest p, boolean rootDone) {
    return rootDone ? p.lastEndMicros : Math.max(p.lastEndMicros, streamTimeMicros);
  }

  /** Requests in flight. */
  public int inFlight() {
    return pending.size();
  }

  /** Recently completed traces remembered (and written into the snapshot). */
  public int recentlyCompleted() {
    return recentlyCompleted.size();
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

  /** Requests completed before the grace by early completion, since creation. */
  public long completedEarly() {
    return completedEarly;
  }

  /** Spans refused because their trace was at its cap, since creation. */
  public long spansOverTraceCap() {
    return spansOverTraceCap;
  }

  /**
   * The in-flight state as bytes, for the partition checkpoint: requests being assembled, the
   * recently completed traces and the stream time; not the raw spans. A request that cannot be
   * written is left out of the snapshot and of the state, and reported by {@link
   * #takeUnstorable()}: one bad request never stops a partition's checkpoint.
   */
  public byte[] snapshot() {
    AssemblySnapshotCodec.Encoded e =
        AssemblySnapshotCodec.encode(
            streamTimeMicros, pending.values(), evicted, recentlyCompleted);
    for (AssemblySnapshotCodec.Unstorable u : e.unstorable()) {
      pending.remove(u.request().traceId);
      evicted.remove(u.request());
      unstorable.add(new Unstorable(u.request().traceId, u.request().tenant, u.reason()));
    }
    return e.bytes();
  }

  /** The requests {@link #snapshot()} had to leave out since the last call; clears the list. */
  public List<Unstorable> takeUnstorable() {
    if (unstorable.isEmpty()) {
      return List.of();
    }
    List<Unstorable> out = List.copyOf(unstorable);
    unstorable.clear();
    return out;
  }

  /** Replaces the in-flight state with a {@link #snapshot()}; empty or null means none. */
  public void restore(byte[] snapshot) {
    restore(snapshot, Long.MAX_VALUE);
  }

  /**
   * Replaces the in-flight state with a {@link #snapshot()} (empty or null means none), keeping
   * stream time at or below the ceiling ({@link #limitStreamTime}) and dropping open requests that
   * started after {@code maxEventTimeMicros}.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot this version reads
   */
  public Restored restore(byte[] snapshot, long maxEventTimeMicros) {
    pending.clear();
    evicted.clear();
    recentlyCompleted.clear();
    streamTimeMicros = Long.MIN_VALUE;
    lastScanStreamTimeMicros = Long.MIN_VALUE;
    if (snapshot == null || snapshot.length == 0) {
      return Restored.CLEAN;
    }
    AssemblySnapshotCodec.Decoded d = AssemblySnapshotCodec.decode(snapshot);
    boolean clamped = d.streamTimeMicros() > streamTimeCeilingMicros;
    streamTimeMicros = d.streamTimeMicros();
    int dropped = 0;
    for (PendingRequest p : d.pending()) {
      if (p.firstStartMicros > maxEventTimeMicros) {
        dropped++;
      } else {
        pending.put(p.traceId, p);
      }
    }
    for (PendingRequest p : d.evicted()) {
      if (p.firstStartMicros > maxEventTimeMicros) {
        dropped++;
      } else {
        evicted.add(p);
      }
    }
    recentlyCompleted = d.recent();
    if (clamped) {
      // A poisoned stream time is not replaced by the ceiling (the wall clock): data that lags it,
      // a consumer catching up, would then see every request complete between two of its spans and
      // count one request twice. It restarts from the latest span the kept requests hold (within
      // the ceiling), or unset, and the next spans carry it on as they always do.
      long healed = Long.MIN_VALUE;
      for (PendingRequest p : pending.values()) {
        healed = Math.max(healed, Math.min(p.lastEndMicros, streamTimeCeilingMicros));
      }
      for (PendingRequest p : evicted) {
        healed = Math.max(healed, Math.min(p.lastEndMicros, streamTimeCeilingMicros));
      }
      streamTimeMicros = healed;
    }
    return new Restored(d.streamTimeMicros(), clamped, dropped);
  }
}
