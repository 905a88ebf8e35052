package dev.tierscope.aggregator.consumer;

import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.assembly.RequestSummary;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Claim;
import dev.tierscope.core.store.Claimant;
import dev.tierscope.core.store.FencedException;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.RefusedDelta;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.core.window.WindowDelta;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One aggregator worker: a plain Kafka consumer in a consumer group that assembles requests per
 * partition, records them into windows, and checkpoints exactly once into the store.
 *
 * <p>Why this shape (docs/architecture.md, "How a span flows"): every checkpoint interval one store
 * transaction holds the window deltas, each owned partition's in-flight snapshot and its next
 * offset. On assignment the owner claims the partition for its group generation, loads the snapshot
 * and seeks to the offset; on revocation it checkpoints first. Whatever fails between two
 * checkpoints (a crash, a fenced zombie, a store error) is simply recomputed from the last
 * checkpoint: state and offsets always move together, so nothing is lost or counted twice. Offsets
 * are also committed to Kafka after each checkpoint, only so that standard lag tools see progress.
 *
 * <p>Why it cannot be stopped or skewed by one record (issue 10): every record is checked before it
 * enters assembly state ({@link RecordCheck}: decodable, core's span rules, the time bounds against
 * its Kafka timestamp, a configured class) and dead-lettered with its reason otherwise; stream time
 * never runs ahead of the wall clock by more than the tolerance; a record whose processing fails
 * anyway is dead-lettered and processing continues. A checkpoint that cannot hold some data (a
 * request the snapshot cannot write, a delta the store refuses for its content) leaves that data
 * out, dead-letters a description of it and commits the rest; only a store that cannot be reached
 * makes the loop reload and retry. A snapshot poisoned with a future stream time is healed on load.
 *
 * <pre>{@code
 * SpanConsumerLoop loop = new SpanConsumerLoop(consumer, store, deadLetters, settings, clock, metrics);
 * Thread t = new Thread(loop, "tierscope-aggregator-0");   // or a LoopSupervisor
 * t.start();
 * ...
 * loop.close(); // checkpoints, releases its claims, leaves the group (even as a static member)
 * }</pre>
 */
public final class SpanConsumerLoop implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SpanConsumerLoop.class);
  private static final long RELOAD_BACKOFF_MAX_MILLIS = 5_000;

  /** At most one warning per this many milliseconds for each kind of rejected input. */
  private static final long WARN_INTERVAL_MILLIS = 10_000;

  private static final class PartitionState {
    final RequestAssembler assembler;

    /** The assembler's {@link RequestAssembler#completedEarly} at the last report. */
    long earlyReported;

    long nextOffset;
    long lastRecordWallMillis;
    long streamTimeAtLastRecordMicros = Long.MIN_VALUE;

    /**
     * Kafka timestamp (epoch millis) of the last record processed, or when it was loaded. Volatile:
     * the status is published while the worker processes records.
     */
    volatile long lastRecordTimestampMillis;

    PartitionState(RequestAssembler assembler, long nextOffset, long nowMillis) {
      this.assembler = assembler;
      this.earlyReported = assembler.completedEarly();
      this.nextOffset = nextOffset;
      this.lastRecordWallMillis = nowMillis;
      this.lastRecordTimestampMillis = nowMillis;
      this.streamTimeAtLastRecordMicros = assembler.streamTimeMicros();
    }
  }

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final CheckpointStore store;
  private final DeadLetters deadLetters;
  private final LoopSettings settings;
  private final Clock clock;
  private final AggregatorMetrics metrics;
  private final WindowAggregator windows;
  private final RecordCheck check;
  private final long toleranceMicros;
  private final long maxFutureSkewMicros;
  private final Map<TopicPartition, PartitionState> owned = new HashMap<>();

  /**
   * The claim epoch held for each assigned partition claimed successfully: commits carry it, a
   * reload after a store error reads back with it instead of claiming again.
   */
  private final Map<TopicPartition, Long> held = new HashMap<>();

  private final Listener listener = new Listener();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Consumer<RequestSummary> recorder;
  private final Map<String, Long> warnedAt = new HashMap<>();
  private final Map<String, Long> foldedReported = new HashMap<>();

  /**
   * Decodes, assembles and records the records of one poll while the loop thread polls (and Kafka
   * parses) the next: the two halves of the work overlap on two cores. One thread, so partition
   * state and windows still have one writer at a time; see {@link #awaitWorker}.
   */
  private ExecutorService worker;

  /** The records handed to the worker and not yet awaited; loop thread only. */
  private Future<?> inProgress;

  private volatile boolean closing;
  private volatile LoopStatus status;
  private volatile boolean started;
  private volatile int inFlight;
  private volatile int recentlyCompleted;
  private volatile int liveHistograms;
  private volatile long overflowed;
  private boolean needsReload;

  /** A commit was fenced: leave and rejoin the group before the next poll. */
  private boolean rejoinRequested;

  private long nextReloadAttemptMillis;
  private int failuresInARow;
  private String lastFailure = "";
  private long lastCheckpointMillis;
  private long lastSuccessfulCheckpointMillis;
  private int completedSinceReport;
  private int partialSinceReport;

  public SpanConsumerLoop(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      CheckpointStore store,
      DeadLetters deadLetters,
      LoopSettings settings,
      Clock clock,
      AggregatorMetrics metrics) {
    this.consumer = consumer;
    this.store = store;
    this.deadLetters = deadLetters;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.windows =
        new WindowAggregator(
            settings.windowMillis(),
            settings.significantDigits(),
            cls -> settings.ttftThresholdMicrosByClass().getOrDefault(cls, -1L),
            settings.limits().windowCaps());
    java.util.Set<String> classes =
        new java.util.HashSet<>(settings.ttftThresholdMicrosByClass().keySet());
    classes.add(settings.assembly().fallbackClass());
    this.check = new RecordCheck(settings.limits().timeBounds(), classes);
    this.toleranceMicros = settings.limits().streamTimeTolerance().toNanos() / 1_000;
    this.maxFutureSkewMicros = settings.limits().timeBounds().maxFutureSkew().toNanos() / 1_000;
    this.status = LoopStatus.starting(clock.millis());
    this.recorder =
        r -> {
          try {
            windows.record(r);
          } catch (RuntimeException e) {
            // Recording is plain arithmetic on bounded values; a failure here is a bug, and must
            // still cost only this request.
            metrics.requestsDropped("unrecordable", 1);
            warn("unrecordable", "a request could not be recorded and was dropped: {}", e);
            return;
          }
          completedSinceReport++;
          if (r.partial()) {
            partialSinceReport++;
          }
        };
  }

  @Override
  public void run() {
    started = true;
    String name = Thread.currentThread().getName();
    worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name + "-records");
              t.setDaemon(true);
              return t;
            });
    try {
      consumer.subscribe(List.of(settings.topic()), listener);
      lastCheckpointMillis = clock.millis();
      lastSuccessfulCheckpointMillis = lastCheckpointMillis;
      publishStatus(lastCheckpointMillis);
      while (!closing) {
        if (rejoinRequested) {
          awaitWorker();
          rejoin();
        }
        if (needsReload && clock.millis() >= nextReloadAttemptMillis) {
          awaitWorker();
          reload();
        }
        // Poll even while the store is unreachable: the partitions are paused then, so nothing is
        // read, but the consumer stays in its group (max.poll.interval.ms) and takes part in
        // rebalances instead of being thrown out while it waits for the database.
        // While this poll waits and parses, the worker is still on the previous poll's records.
        ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
        long now = clock.millis();
        awaitWorker();
        Cut due = null;
        boolean statusDue = false;
        if (now - lastCheckpointMillis >= settings.checkpointInterval().toMillis()) {
          if (!needsReload) {
            due = cut();
          }
          lastCheckpointMillis = now;
          statusDue = true;
        }
        List<Polled> polled = new ArrayList<>(records.partitions().size());
        for (TopicPartition tp : records.partitions()) {
          PartitionState state = owned.get(tp);
          if (state != null) {
            polled.add(new Polled(state, records.records(tp)));
          }
        }
        inProgress = worker.submit(() -> processPolled(polled, now));
        // The store's round trip overlaps the worker's processing of the records after the cut.
        if (due != null) {
          commit(due);
        }
        if (statusDue) {
          publishStatus(now);
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        throw e;
      }
    } finally {
      try {
        awaitWorker();
      } catch (RuntimeException e) {
        log.error("processing the last records failed; checkpointing what was processed", e);
      }
      worker.shutdown();
      try {
        if (!needsReload) {
          Set<TopicPartition> partitions = Set.copyOf(owned.keySet());
          checkpoint();
          if (!needsReload) {
            log.info("final checkpoint committed for {}", partitions);
            release(held.keySet());
            owned.clear();
            held.clear();
          } else {
            log.warn("final checkpoint failed; the next owner resumes from the previous one");
          }
        }
      } catch (RuntimeException e) {
        log.warn("final checkpoint failed; the next owner resumes from the previous one", e);
      }
      status = status.stopped();
      // Leave the group explicitly: a static member (group.instance.id) would otherwise stay in it
      // until session.timeout.ms expires, and its partitions would wait that long for another
      // member (a scale-down). A crash sends no leave, and the same instance id reclaims at once.
      consumer.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP));
      stopped.countDown();
    }
  }

  /** The records of one partition from one poll, with the state they go into. */
  private record Polled(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records) {}

  /**
   * Runs on the worker: decodes, assembles and records one poll's records, then completes what is
   * due. The loop thread touches partition state and windows only after {@link #awaitWorker}.
   */
  private void processPolled(List<Polled> polled, long now) {
    long ceiling = now * 1_000 + toleranceMicros;
    for (Polled p : polled) {
      PartitionState state = p.state();
      List<ConsumerRecord<byte[], byte[]>> batch = p.records();
      state.assembler.limitStreamTime(ceiling);
      for (ConsumerRecord<byte[], byte[]> record : batch) {
        process(state, record, now);
        state.nextOffset = record.offset() + 1;
      }
      state.lastRecordWallMillis = now;
      state.lastRecordTimestampMillis = batch.get(batch.size() - 1).timestamp();
      state.streamTimeAtLastRecordMicros = state.assembler.streamTimeMicros();
      metrics.spansConsumed(batch.size());
    }
    completeRequests(now);
  }

  /**
   * Waits until the worker has finished the records handed to it; from then on this thread may
   * touch partition state and windows (the future's completion orders the worker's writes before
   * this thread's reads). Whatever the worker threw is thrown here.
   */
  private void awaitWorker() {
    Future<?> f = inProgress;
    if (f == null) {
      return;
    }
    inProgress = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          // The records are in the middle of being processed: finish waiting, keep the flag.
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Publishes what health and metrics read, once per checkpoint interval. */
  private void publishStatus(long nowMillis) {
    long lagRecords = 0;
    long oldestBehindMillis = nowMillis;
    boolean lagKnown = true;
    for (Map.Entry<TopicPartition, PartitionState> e : owned.entrySet()) {
      java.util.OptionalLong lag = consumer.currentLag(e.getKey());
      if (lag.isEmpty()) {
        lagKnown = false;
        continue;
      }
      if (lag.getAsLong() > 0) {
        lagRecords += lag.getAsLong();
        oldestBehindMillis = Math.min(oldestBehindMillis, e.getValue().lastRecordTimestampMillis);
      }
    }
    Set<TopicPartition> assigned = consumer.assignment();
    status =
        new LoopStatus(
            LoopStatus.State.RUNNING,
            generation() >= 0,
            assigned.size(),
            needsReload ? 0 : owned.size(),
            needsReload,
            failuresInARow,
            lastSuccessfulCheckpointMillis,
            lagRecords,
            Math.max(0, nowMillis - oldestBehindMillis),
            lagKnown && !needsReload && owned.keySet().containsAll(assigned),
            lastFailure,
            nowMillis);
  }

  private void process(PartitionState state, ConsumerRecord<byte[], byte[]> record, long now) {
    RecordCheck.Checked checked;
    try {
      checked = check.check(record.value(), record.timestamp(), now);
    } catch (RuntimeException e) {
      // The decoder throws only its own exceptions for bad bytes; anything else is a bug, and must
      // still cost only this record.
      reject(record, "failed", e.toString());
      return;
    }
    if (!checked.isAccepted()) {
      reject(record, checked.reason(), checked.message());
      return;
    }
    Span span = checked.span();
    try {
      RequestAssembler.AddResult result = state.assembler.add(span, record.serializedValueSize());
      if (result == RequestAssembler.AddResult.ASSEMBLED) {
        return;
      }
      String cls =
          span.trafficClass().isEmpty() ? settings.assembly().fallbackClass() : span.trafficClass();
      Counter counter =
          switch (result) {
            case LATE -> Counter.LATE_SPANS;
            case DUPLICATE -> Counter.DUPLICATE_SPANS;
            default -> Counter.SPANS_OVER_TRACE_CAP;
          };
      windows.recordSpans(
          span.tenant(), span.tenantAuthenticated(), cls, span.startEpochMicros(), counter, 1);
      switch (result) {
        case LATE -> metrics.lateSpans(1);
        case DUPLICATE -> metrics.rejected("duplicate");
        default -> {
          metrics.rejected("trace_too_large");
          warn(
              "trace_too_large",
              "spans of trace {} and others are over the per-trace cap and not assembled",
              span.traceId().toHex());
        }
      }
    } catch (RuntimeException e) {
      // Nothing about a valid span should fail here; if it does, only this record pays for it.
      reject(record, "failed", e.toString());
    }
  }

  private void reject(ConsumerRecord<byte[], byte[]> record, String reason, String message) {
    metrics.rejected(reason);
    deadLetters.send(record, reason + ": " + message);
    warn(reason, "records set aside as {} and dead-lettered, e.g. {}", reason, message);
  }

  /** Logs at WARN at most once per interval and kind, so that a flood cannot flood the log. */
  private void warn(String kind, String format, Object... args) {
    long now = clock.millis();
    Long last = warnedAt.get(kind);
    if (last == null || now - last >= WARN_INTERVAL_MILLIS) {
      warnedAt.put(kind, now);
      log.warn(format, args);
    }
  }

  private void completeRequests(long nowMillis) {
    long idleAfter = settings.idleAdvanceAfter().toMillis();
    long ceiling = nowMillis * 1_000 + toleranceMicros;
    for (PartitionState state : owned.values()) {
      state.assembler.limitStreamTime(ceiling);
      long idle = nowMillis - state.lastRecordWallMillis;
      if (idle >= idleAfter && state.streamTimeAtLastRecordMicros != Long.MIN_VALUE) {
        state.assembler.advanceStreamTime(state.streamTimeAtLastRecordMicros + idle * 1_000);
      }
      state.assembler.drainCompleted(recorder);
    }
    int n = 0;
    int recent = 0;
    long over = 0;
    long early = 0;
    for (PartitionState s : owned.values()) {
      n += s.assembler.inFlight();
      recent += s.assembler.recentlyCompleted();
      over += s.assembler.overflowed();
      long completedEarly = s.assembler.completedEarly();
      early += completedEarly - s.earlyReported;
      s.earlyReported = completedEarly;
    }
    if (early > 0) {
      metrics.requestsCompletedEarly(early);
    }
    inFlight = n;
    recentlyCompleted = recent;
    if (over > 0) {
      // Per partition since it was loaded: a gauge of what the cap cut short recently.
      overflowed = over;
    }
    liveHistograms = windows.liveHistograms();
    if (completedSinceReport > 0) {
      metrics.requestsCompleted(completedSinceReport, partialSinceReport);
      completedSinceReport = 0;
      partialSinceReport = 0;
    }
    windows
        .folded()
        .forEach(
            (dimension, total) -> {
              long before = foldedReported.getOrDefault(dimension, 0L);
              if (total > before) {
                metrics.folded(dimension, total - before);
                foldedReported.put(dimension, total);
                warn(
                    "folded-" + dimension,
                    "more distinct {} values per window than the cap: the excess is counted under"
                        + " __overflow__",
                    dimension);
              }
            });
  }

  private int generation() {
    return consumer.groupMetadata().generationId();
  }

  /**
   * Commits deltas, snapshots and offsets. What cannot be stored for its data is left out and
   * dead-lettered; on a fenced generation or an unreachable store, reloads everything from the
   * store.
   */
  private void checkpoint() {
    awaitWorker();
    Cut cut = cut();
    if (cut != null) {
      commit(cut);
    }
  }

  /**
   * What one checkpoint commits, all taken at one point of the stream: each owned partition's
   * snapshot and next offset, and the window deltas up to there.
   */
  private record Cut(
      long startedNanos,
      List<PartitionCheckpoint> checkpoints,
      Map<TopicPartition, OffsetAndMetadata> offsets,
      List<WindowDelta> deltas,
      Set<TopicPartition> partitions) {}

  /**
   * Takes the state to commit (snapshots, offsets, drained deltas); null when there is nothing.
   * Only while the worker is idle.
   */
  private Cut cut() {
    long startedMillis = clock.millis();
    lastCheckpointMillis = startedMillis;
    if (owned.isEmpty() && windows.isEmpty()) {
      lastSuccessfulCheckpointMillis = startedMillis;
      return null;
    }
    long started = System.nanoTime();
    List<PartitionCheckpoint> checkpoints = new ArrayList<>(owned.size());
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    owned.forEach(
        (tp, st) -> {
          byte[] snapshot = st.assembler.snapshot();
          for (RequestAssembler.Unstorable u : st.assembler.takeUnstorable()) {
            metrics.requestsDropped("unstorable", 1);
            deadLetters.send(
                new DeadLetter(
                    u.traceId().toBytes(),
                    null,
                    "unstorable: request of tenant "
                        + u.tenant()
                        + " left out of the snapshot: "
                        + u.reason(),
                    "checkpoint " + tp));
            warn("unstorable", "a request could not be snapshot and was dropped: {}", u.reason());
          }
          checkpoints.add(
              new PartitionCheckpoint(
                  tp.topic(), tp.partition(), held.get(tp), st.nextOffset, snapshot));
          offsets.put(tp, new OffsetAndMetadata(st.nextOffset));
        });
    return new Cut(started, checkpoints, offsets, windows.drain(), Set.copyOf(owned.keySet()));
  }

  /**
   * Writes a cut to the store. The worker may meanwhile be processing the records after the cut:
   * the cut holds its own copies, and a failure waits for the worker before it drops everything
   * since the last successful checkpoint (that work included) and reloads.
   */
  private void commit(Cut cut) {
    List<RefusedDelta> refused;
    try {
      refused = store.commit(settings.group(), generation(), cut.checkpoints(), cut.deltas());
      metrics.checkpointed(System.nanoTime() - cut.startedNanos(), cut.deltas().size());
      lastSuccessfulCheckpointMillis = clock.millis();
      failuresInARow = 0;
      lastFailure = "";
    } catch (FencedException e) {
      log.warn(
          "checkpoint fenced: a later claim took a partition; dropping everything since the last"
              + " checkpoint and rejoining the group: {}",
          e.getMessage());
      metrics.checkpointFailed("fenced");
      lastFailure = "fenced: " + e.getMessage();
      awaitWorker();
      fenced();
      return;
    } catch (RuntimeException e) {
      log.warn("checkpoint failed, reloading owned partitions from the last one: {}", e.toString());
      metrics.checkpointFailed("store");
      lastFailure = "store: " + e.getMessage();
      awaitWorker();
      scheduleReload();
      return;
    }
    if (!refused.isEmpty()) {
      metrics.deltasRefused(refused.size());
      for (RefusedDelta r : refused) {
        deadLetters.send(
            new DeadLetter(
                (r.key().tenant()
                        + "/"
                        + r.key().trafficClass()
                        + "/"
                        + r.key().windowStartEpochMillis())
                    .getBytes(StandardCharsets.UTF_8),
                null,
                "refused: the store refused the window's delta: " + r.reason(),
                "checkpoint " + cut.partitions()));
      }
      log.error(
          "the store refused {} window deltas for their data (first: {}); the rest of the"
              + " checkpoint was written",
          refused.size(),
          refused.get(0));
    }
    if (!cut.offsets().isEmpty()) {
      consumer.commitAsync(cut.offsets(), null);
    }
  }

  /**
   * Drops everything since the last checkpoint and pauses the assigned partitions until they are
   * reloaded; the loop keeps polling meanwhile, so it stays in its consumer group.
   */
  private void scheduleReload() {
    windows.discard();
    owned.clear();
    failuresInARow++;
    if (!needsReload) {
      needsReload = true;
      nextReloadAttemptMillis = clock.millis();
    }
    consumer.pause(consumer.assignment());
  }

  /**
   * After a fenced commit: drops everything since the last checkpoint and every epoch held, and has
   * the loop leave and rejoin the group, claiming what it is assigned then. It never claims its
   * partitions back by itself: the claim that fenced it may be a rightful owner's (this loop being
   * the zombie), and the coordinator decides.
   */
  private void fenced() {
    windows.discard();
    owned.clear();
    held.clear();
    failuresInARow++;
    needsReload = false;
    consumer.pause(consumer.assignment());
    rejoinRequested = true;
  }

  /**
   * Leaves the group and subscribes again, outside any rebalance callback. Unsubscribing works with
   * both group protocols ({@code enforceRebalance} does nothing with {@code
   * group.protocol=consumer}); the next poll joins and the assignment is claimed afresh.
   */
  private void rejoin() {
    rejoinRequested = false;
    log.info("leaving and rejoining consumer group {} after a fenced checkpoint", settings.group());
    consumer.unsubscribe();
    owned.clear();
    held.clear();
    consumer.subscribe(List.of(settings.topic()), listener);
  }

  /**
   * Reloads every assigned partition from its checkpoint: reads back those it still holds (no new
   * epoch, so a store error fences nobody) and claims the others; false on failure.
   */
  private boolean reload() {
    if (generation() < 0) {
      // Not a member of the group right now (thrown out, or rejoining): the next poll rejoins,
      // and the partitions are claimed for the new generation.
      return false;
    }
    windows.discard();
    owned.clear();
    Set<TopicPartition> assigned = consumer.assignment();
    held.keySet().retainAll(assigned);
    try {
      resume(held.keySet());
    } catch (FencedException e) {
      log.warn(
          "reloading: a later claim took a partition; rejoining the group: {}", e.getMessage());
      metrics.checkpointFailed("fenced");
      lastFailure = "fenced: " + e.getMessage();
      fenced();
      return false;
    } catch (RuntimeException e) {
      return reloadFailed(e);
    }
    try {
      List<TopicPartition> toClaim = new ArrayList<>(assigned);
      toClaim.removeAll(owned.keySet());
      load(toClaim);
      consumer.resume(assigned);
      needsReload = false;
      log.info("reloaded {} from the last checkpoint", assigned);
      return true;
    } catch (RuntimeException e) {
      return reloadFailed(e);
    }
  }

  private boolean reloadFailed(RuntimeException e) {
    failuresInARow++;
    lastFailure = (e instanceof FencedException ? "claim refused: " : "store: ") + e.getMessage();
    long backoff = Math.min(RELOAD_BACKOFF_MAX_MILLIS, 250L << Math.min(failuresInARow, 6));
    nextReloadAttemptMillis = clock.millis() + backoff;
    log.warn(
        "reloading partitions from the store failed ({} in a row), retrying in {} ms: {}",
        failuresInARow,
        backoff,
        e.toString());
    owned.clear();
    consumer.pause(consumer.assignment());
    return false;
  }

  /** Who this loop claims as: its static member id, else its member id, and its generation. */
  private Claimant claimant() {
    org.apache.kafka.clients.consumer.ConsumerGroupMetadata m = consumer.groupMetadata();
    return new Claimant(
        m.groupInstanceId().orElse(m.memberId()), m.generationId(), settings.claimLease());
  }

  /** Claims partitions and loads their checkpoints. */
  private void load(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    Claimant claimant = claimant();
    Map<TopicPartition, Claim> claims = new HashMap<>();
    for (Map.Entry<String, List<Integer>> e : byTopic(partitions).entrySet()) {
      store
          .claim(settings.group(), e.getKey(), e.getValue(), claimant)
          .forEach((p, c) -> claims.put(new TopicPartition(e.getKey(), p), c));
    }
    restoreAll(claims);
    log.info(
        "owning {} as {} with generation {} (claim epochs {})",
        partitions,
        claimant.owner(),
        claimant.generation(),
        epochs(claims));
  }

  /** Reads back the checkpoints of partitions still held, with the epochs held. */
  private void resume(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, Claim> claims = new HashMap<>();
    for (Map.Entry<String, List<Integer>> e : byTopic(partitions).entrySet()) {
      Map<Integer, Long> epochs = new HashMap<>();
      for (int p : e.getValue()) {
        epochs.put(p, held.get(new TopicPartition(e.getKey(), p)));
      }
      store
          .resume(settings.group(), e.getKey(), epochs)
          .forEach((p, c) -> claims.put(new TopicPartition(e.getKey(), p), c));
    }
    restoreAll(claims);
  }

  private void restoreAll(Map<TopicPartition, Claim> claims) {
    long now = clock.millis();
    long ceiling = now * 1_000 + toleranceMicros;
    claims.forEach(
        (tp, claim) -> {
          RequestAssembler assembler = new RequestAssembler(settings.assembly());
          assembler.limitStreamTime(ceiling);
          PartitionCheckpoint cp = claim.checkpoint();
          long next;
          if (cp != null) {
            restore(tp, assembler, cp.snapshot(), ceiling);
            // A log shorter than the checkpoint (the broker's data wiped, the topic recreated) is
            // out of range here: auto.offset.reset=earliest starts it from its beginning.
            consumer.seek(tp, cp.nextOffset());
            next = cp.nextOffset();
          } else {
            consumer.seekToBeginning(List.of(tp));
            next = consumer.position(tp);
          }
          held.put(tp, claim.epoch());
          owned.put(tp, new PartitionState(assembler, next, now));
        });
  }

  /**
   * Lets go of partitions after their last checkpoint; a failure only makes the next claim wait.
   */
  private void release(Collection<TopicPartition> partitions) {
    Map<String, Map<Integer, Long>> epochs = new HashMap<>();
    for (TopicPartition tp : partitions) {
      Long epoch = held.get(tp);
      if (epoch != null) {
        epochs.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp.partition(), epoch);
      }
    }
    epochs.forEach(
        (topic, byPartition) -> {
          try {
            store.release(settings.group(), topic, byPartition);
          } catch (RuntimeException e) {
            log.warn(
                "releasing {} of {} failed; their next owner waits for the claim lease at most: {}",
                byPartition.keySet(),
                topic,
                e.toString());
          }
        });
  }

  private static Map<String, List<Integer>> byTopic(Collection<TopicPartition> partitions) {
    Map<String, List<Integer>> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    return out;
  }

  private static Map<String, Long> epochs(Map<TopicPartition, Claim> claims) {
    Map<String, Long> out = new java.util.TreeMap<>();
    claims.forEach((tp, c) -> out.put(tp.toString(), c.epoch()));
    return out;
  }

  /**
   * Restores a snapshot, healing one that holds a stream time in the future. A snapshot this
   * version cannot read at all is not allowed to stop the partition forever: the partition starts
   * empty from the checkpoint's offset, and what was in flight is dead-lettered as a description.
   */
  private void restore(
      TopicPartition tp, RequestAssembler assembler, byte[] snapshot, long ceiling) {
    try {
      RequestAssembler.Restored r = assembler.restore(snapshot, ceiling + maxFutureSkewMicros);
      if (r.streamTimeClamped() || r.requestsDropped() > 0) {
        metrics.streamTimeHealed(r.requestsDropped());
        log.warn(
            "{}: the checkpoint's stream time {} lay {} s ahead of this clock; restarted from the"
                + " latest span it keeps, {} open requests that started beyond the time bounds left out",
            tp,
            r.streamTimeMicros(),
            (r.streamTimeMicros() - ceiling) / 1_000_000,
            r.requestsDropped());
      }
    } catch (IllegalArgumentException e) {
      metrics.requestsDropped("unreadable_snapshot", 1);
      deadLetters.send(
          new DeadLetter(
              null,
              snapshot,
              "unreadable: the checkpoint's snapshot could not be read, the partition starts"
                  + " without its in-flight requests: "
                  + e.getMessage(),
              "checkpoint " + tp));
      log.error("{}: the checkpoint's snapshot could not be read; starting without it", tp, e);
      assembler.restore(null);
    }
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      awaitWorker();
      if (partitions.isEmpty()) {
        return;
      }
      // None of them loaded here: assigned while paused for a rejoin or a reload, or already
      // checkpointed and let go of by the final checkpoint before a close.
      boolean loaded = partitions.stream().anyMatch(owned::containsKey);
      boolean checkpointed = !needsReload && !rejoinRequested;
      if (checkpointed) {
        checkpoint();
        checkpointed = !needsReload && !rejoinRequested;
      }
      if (checkpointed) {
        // A clean revocation: the next owner takes them at once, whatever its generation.
        release(partitions);
      }
      partitions.forEach(owned::remove);
      partitions.forEach(held::remove);
      if (!loaded) {
        log.info("revoked {}; none was loaded here, nothing to checkpoint", partitions);
      } else {
        log.info(
            checkpointed
                ? "revoked {} after checkpointing"
                : "revoked {}; the next owner resumes from the last checkpoint",
            partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      awaitWorker();
      if (rejoinRequested) {
        // Fenced since the last poll: the loop leaves and rejoins before claiming anything.
        consumer.pause(partitions);
        return;
      }
      if (needsReload) {
        // The whole assignment is reloaded once the store answers; read nothing until then.
        consumer.pause(partitions);
        return;
      }
      try {
        load(partitions);
      } catch (RuntimeException e) {
        log.warn("loading assigned partitions failed, will retry: {}", e.toString());
        scheduleReload();
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      awaitWorker();
      // Deltas in memory may include records of the lost partitions; they are recomputed by the
      // new owner, so everything not yet checkpointed is dropped and the rest reloaded.
      log.warn(
          "lost {} without a clean revocation; reloading from the last checkpoint", partitions);
      boolean storeAnswering = !needsReload;
      scheduleReload();
      // Nothing since the last checkpoint is kept, so the rows can be let go of: the epoch guards
      // a row someone else claimed meanwhile. A member coming back under a new member id (after a
      // broker's data was wiped) then claims them at once instead of waiting for the lease. Not
      // while the store is failing: the call would only block this rebalance.
      if (storeAnswering) {
        release(partitions);
      }
      partitions.forEach(held::remove);
    }
  }

  /**
   * Requests emitted early as partial because the in-flight cap was reached, summed over the owned
   * partitions since they were loaded; safe from any thread.
   */
  public long overflowed() {
    return overflowed;
  }

  /**
   * What the loop was doing as of its last checkpoint interval: ownership, reloads, the last
   * successful checkpoint and the lag; safe from any thread, for health and metrics.
   */
  public LoopStatus status() {
    return status;
  }

  /** Histograms held in memory since the last checkpoint, as of the last poll; any thread. */
  public int liveHistograms() {
    return liveHistograms;
  }

  /** Requests in flight over all owned partitions, as of the last poll; safe from any thread. */
  public int inFlight() {
    return inFlight;
  }

  /**
   * Recently completed traces remembered over all owned partitions (and written into their
   * snapshots), as of the last poll; safe from any thread.
   */
  public int recentlyCompleted() {
    return recentlyCompleted;
  }

  /**
   * Stops the loop: checkpoints, releases its claims and leaves the group, also as a static member,
   * so that the partitions move to another member at once. Waits up to 30 s.
   */
  @Override
  public void close() {
    closing = true;
    if (!started) {
      // Never run: nothing to checkpoint, nobody to wait for.
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      stopped.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
