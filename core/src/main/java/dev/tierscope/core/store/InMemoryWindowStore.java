package dev.tierscope.core.store;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * Reference implementation of the store seams, in memory: the behaviour the PostgreSQL store must
 * match, and a fake for tests of the layers above.
 *
 * <p>Claims follow the same rules as the PostgreSQL store's, with this store's {@link Clock} as the
 * time a row was written and the time a lease is measured against.
 *
 * <p>It refuses what PostgreSQL refuses, delta by delta: a NUL character in a text key (tenant,
 * class, counter dimension, exemplar trace id), and a counter whose sum would leave {@code long}
 * ({@code bigint}).
 *
 * <p>It keeps what the PostgreSQL schema keeps, in the same shape: windows per resolution (a delta
 * is stored at the resolution of its {@code windowMillis}), rollup progress per resolution, the
 * slowest exemplars per window, and checkpoints per (group, topic, partition) with their owning
 * generation. Reads plan their resolutions with {@link ResolutionPlan} exactly as the PostgreSQL
 * reader does, so that rollups, late updates and retention show the same way through both; {@link
 * #rollups} is the rollup job over this store. Where PostgreSQL uses a row's {@code updated_at},
 * this store counts changes instead of reading a clock.
 *
 * <pre>{@code
 * InMemoryWindowStore store = new InMemoryWindowStore();
 * store.commit(group, generation, checkpoints, windows.drain());
 * store.rollups(Rollups.Settings.defaults()).run(clock.instant());
 * Map<Metric, Histogram> merged = store.merged(tenant, cls, metrics, from, to);
 * }</pre>
 */
public final class InMemoryWindowStore
    implements CheckpointStore, WindowReader, SliceReader, ExemplarReader, TotalsReader {

  private record Key(String group, String topic, int partition) {}

  /**
   * A partition's row: its claim epoch, owner (null once released), the generation recorded with
   * it, when it was last written (this store's clock), and its checkpoint (null when never).
   */
  private record Row(
      long epoch,
      String owner,
      int generation,
      long writtenAtMillis,
      PartitionCheckpoint checkpoint) {}

  /** The windows of one class of one tenant at one resolution. */
  private record Series(String tenant, String trafficClass, int resolutionSeconds) {}

  /** One stored window: its histograms and counters, and the change that last touched it. */
  private static final class Window {
    final Map<Metric, Histogram> histograms = new EnumMap<>(Metric.class);
    final Map<CounterKey, Long> counters = new HashMap<>();

    /** The breakdown slices, per dimension and value (PostgreSQL's {@code window_slice}). */
    final Map<Dimension, Map<String, Slice>> slices = new EnumMap<>(Dimension.class);

    long updatedAt;

    void addSlice(Slice slice) {
      slices
          .computeIfAbsent(slice.dimension(), d -> new TreeMap<>())
          .computeIfAbsent(slice.value(), v -> Slice.empty(slice.dimension(), v))
          .add(slice);
    }
  }

  /** How far a rollup resolution is complete, and the change its last run started at. */
  private record Progress(Instant completeBefore, long rolledAt) {}

  private final int rawSeconds;
  private final Map<Key, Row> checkpoints = new HashMap<>();
  private final Map<Series, NavigableMap<Long, Window>> windows = new HashMap<>();
  private final Map<WindowKey, List<Exemplar>> exemplars = new HashMap<>();
  private final Map<Integer, Progress> progress = new HashMap<>();

  /** Counts changes; stands in for PostgreSQL's {@code updated_at}. */
  private long changes;

  private record ClassKey(String tenant, String trafficClass) {}

  private record Total(
      Instant since, Map<Metric, Histogram> histograms, Map<CounterKey, Long> counters) {}

  /** All-time totals per (tenant, class); rollups and retention never touch them. */
  private final Map<ClassKey, Total> totals =
      new TreeMap<>(Comparator.comparing(ClassKey::tenant).thenComparing(ClassKey::trafficClass));

  private final Clock clock;

  /**
   * A store whose raw windows are 10 s long, the aggregator's default, and that stamps totals with
   * the system clock.
   */
  public InMemoryWindowStore() {
    this(10, Clock.systemUTC());
  }

  /**
   * A store whose raw windows are 10 s long.
   *
   * @param clock stamps when the totals of a class began ({@link ClassTotals#since()}) and when a
   *     checkpoint row was written, against which claim leases are measured
   */
  public InMemoryWindowStore(Clock clock) {
    this(10, clock);
  }

  /**
   * @param rawResolutionSeconds the size of the raw windows reads plan from (the aggregator's
   *     window), as the PostgreSQL reader's {@code rawResolutionSeconds}
   */
  public InMemoryWindowStore(int rawResolutionSeconds) {
    this(rawResolutionSeconds, Clock.systemUTC());
  }

  /**
   * @param rawResolutionSeconds the size of the raw windows reads plan from (the aggregator's
   *     window), as the PostgreSQL reader's {@code rawResolutionSeconds}
   * @param clock stamps when the totals of a class began ({@link ClassTotals#since()}) and when a
   *     checkpoint row was written, against which claim leases are measured
   */
  public InMemoryWindowStore(int rawResolutionSeconds, Clock clock) {
    if (rawResolutionSeconds <= 0) {
      throw new IllegalArgumentException(
          "rawResolutionSeconds must be positive, was " + rawResolutionSeconds);
    }
    this.rawSeconds = rawResolutionSeconds;
    this.clock = clock;
  }

  // --- CheckpointStore ------------------------------------------------------------------------

  @Override
  public synchronized Map<Integer, Claim> claim(
      String group, String topic, Collection<Integer> partitions, Claimant claimant) {
    long now = clock.millis();
    for (int p : partitions) {
      Row row = checkpoints.get(new Key(group, topic, p));
      if (row != null
          && row.owner != null
          && !row.owner.equals(claimant.owner())
          && row.generation > claimant.generation()
          && now - row.writtenAtMillis < claimant.lease().toMillis()) {
        throw new FencedException(
            "partition "
                + topic
                + "-"
                + p
                + " is held by "
                + row.owner
                + " with generation "
                + row.generation
                + ", written "
                + (now - row.writtenAtMillis)
                + " ms ago; "
                + claimant.owner()
                + " has generation "
                + claimant.generation());
      }
    }
    Map<Integer, Claim> out = new TreeMap<>();
    for (int p : partitions) {
      Key key = new Key(group, topic, p);
      Row row = checkpoints.get(key);
      long epoch = row == null ? 1 : row.epoch + 1;
      PartitionCheckpoint cp =
          row == null || row.checkpoint == null ? null : row.checkpoint.withClaimEpoch(epoch);
      checkpoints.put(key, new Row(epoch, claimant.owner(), claimant.generation(), now, cp));
      out.put(p, new Claim(topic, p, epoch, cp));
    }
    return out;
  }

  @Override
  public synchronized Map<Integer, Claim> resume(
      String group, String topic, Map<Integer, Long> epochs) {
    Map<Integer, Claim> out = new TreeMap<>();
    epochs.forEach(
        (p, epoch) -> {
          Row row = checkpoints.get(new Key(group, topic, p));
          if (row == null || row.owner == null || row.epoch != epoch) {
            throw new FencedException(notHeld(topic, p, epoch));
          }
          out.put(p, new Claim(topic, p, epoch, row.checkpoint));
        });
    return out;
  }

  @Override
  public synchronized void release(String group, String topic, Map<Integer, Long> epochs) {
    epochs.forEach(
        (p, epoch) -> {
          Key key = new Key(group, topic, p);
          Row row = checkpoints.get(key);
          if (row != null && row.owner != null && row.epoch == epoch) {
            checkpoints.put(
                key, new Row(row.epoch, null, row.generation, row.writtenAtMillis, row.checkpoint));
          }
        });
  }

  private static String notHeld(String topic, int partition, long epoch) {
    return "partition "
        + topic
        + "-"
        + partition
        + " is no longer held with claim epoch "
        + epoch
        + ": a later claim took it";
  }

  @Override
  public synchronized List<RefusedDelta> commit(
      String group,
      int generation,
      List<PartitionCheckpoint> partitionCheckpoints,
      List<WindowDelta> deltas) {
    for (PartitionCheckpoint c : partitionCheckpoints) {
      Row row = checkpoints.get(new Key(group, c.topic(), c.partition()));
      if (row == null || row.owner == null || row.epoch != c.claimEpoch()) {
        throw new FencedException(notHeld(c.topic(), c.partition(), c.claimEpoch()));
      }
    }
    long now = clock.millis();
    for (PartitionCheckpoint c : partitionCheckpoints) {
      Key key = new Key(group, c.topic(), c.partition());
      Row row = checkpoints.get(key);
      checkpoints.put(key, new Row(row.epoch, row.owner, generation, now, c));
    }
    List<RefusedDelta> refused = new ArrayList<>(0);
    long change = ++changes;
    for (WindowDelta d : deltas) {
      String problem = refusal(d);
      if (problem != null) {
        refused.add(new RefusedDelta(d.key(), problem));
        continue;
      }
      WindowKey k = d.key();
      Series series = seriesOf(d);
      Window w = null;
      for (Map.Entry<Metric, Histogram> e : d.histograms().entrySet()) {
        if (e.getValue() == null || e.getValue().getTotalCount() == 0) {
          continue;
        }
        w = w == null ? window(series, k.windowStartEpochMillis()) : w;
        Histogram into = w.histograms.get(e.getKey());
        if (into == null) {
          w.histograms.put(e.getKey(), e.getValue().copy());
        } else {
          into.add(e.getValue());
        }
      }
      for (Map.Entry<CounterKey, Long> e : d.counters().entrySet()) {
        w = w == null ? window(series, k.windowStartEpochMillis()) : w;
        w.counters.merge(e.getKey(), e.getValue(), Long::sum);
      }
      for (Slice slice : d.slices()) {
        w = w == null ? window(series, k.windowStartEpochMillis()) : w;
        w.addSlice(slice);
      }
      if (w != null) {
        w.updatedAt = change;
      }
      if (!d.exemplars().isEmpty()) {
        keepSlowest(exemplars.computeIfAbsent(k, x -> new ArrayList<>()), d.exemplars());
      }
      addToTotals(d);
    }
    return refused;
  }

  /** Why PostgreSQL would refuse this delta, or null when it would take it. */
  private String refusal(WindowDelta d) {
    if (hasNul(d.key().tenant()) || hasNul(d.key().trafficClass())) {
      return "invalid byte sequence for encoding \"UTF8\": 0x00 (the window's key)";
    }
    NavigableMap<Long, Window> series = windows.get(seriesOf(d));
    Window window = series == null ? null : series.get(d.key().windowStartEpochMillis());
    Map<CounterKey, Long> stored = window == null ? Map.of() : window.counters;
    for (Map.Entry<CounterKey, Long> e : d.counters().entrySet()) {
      if (hasNul(e.getKey().dimension())) {
        return "invalid byte sequence for encoding \"UTF8\": 0x00 (a counter's dimension)";
      }
      try {
        Math.addExact(stored.getOrDefault(e.getKey(), 0L), e.getValue());
      } catch (ArithmeticException overflow) {
        return "bigint out of range (counter " + e.getKey().counter().id() + ")";
      }
    }
    for (Exemplar e : d.exemplars()) {
      if (hasNul(e.traceId())) {
        return "invalid byte sequence for encoding \"UTF8\": 0x00 (an exemplar)";
      }
    }
    for (Slice slice : d.slices()) {
      if (hasNul(slice.value())) {
        return "invalid byte sequence for encoding \"UTF8\": 0x00 (a breakdown value)";
      }
    }
    return null;
  }

  private static Series seriesOf(WindowDelta d) {
    WindowKey k = d.key();
    return new Series(k.tenant(), k.trafficClass(), (int) (d.windowMillis() / 1000));
  }

  private static boolean hasNul(String s) {
    return s.indexOf('\u0000') >= 0;
  }

  private Window window(Series series, long startEpochMillis) {
    return windows
        .computeIfAbsent(series, s -> new TreeMap<>())
        .computeIfAbsent(startEpochMillis, s -> new Window());
  }

  /** As the PostgreSQL store: a trace id already kept keeps its value; the slowest few stay. */
  private static void keepSlowest(List<Exemplar> kept, List<Exemplar> offered) {
    for (Exemplar e : offered) {
      if (kept.stream().noneMatch(k -> k.traceId().equals(e.traceId()))) {
        kept.add(e);
      }
    }
    kept.sort(Exemplar.SLOWEST_FIRST);
    if (kept.size() > Exemplar.KEPT_PER_WINDOW) {
      kept.subList(Exemplar.KEPT_PER_WINDOW, kept.size()).clear();
    }
  }

  // --- WindowReader ---------------------------------------------------------------------------

  @Override
  public synchronized List<Map<Metric, Histogram>> mergedPerInterval(
      String tenant, String trafficClass, Set<Metric> metrics, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    List<Map<Metric, Histogram>> out = new ArrayList<>();
    for (int i = 0; i + 1 < boundaries.size(); i++) {
      out.add(new EnumMap<>(Metric.class));
    }
    if (!metrics.isEmpty()) {
      for (ResolutionPlan.Segment s : plan(boundaries)) {
        Map<Metric, Histogram> into = out.get(s.interval());
        for (Window w : windowsOf(tenant, trafficClass, s)) {
          w.histograms.forEach(
              (metric, h) -> {
                if (metrics.contains(metric)) {
                  Histogram existing = into.get(metric);
                  if (existing == null) {
                    into.put(metric, h.copy());
                  } else {
                    existing.add(h);
                  }
                }
              });
        }
      }
    }
    for (Map<Metric, Histogram> m : out) {
      for (Metric metric : metrics) {
        m.computeIfAbsent(metric, k -> new Histogram(2));
      }
    }
    return out;
  }

  @Override
  public synchronized List<Map<CounterKey, Long>> countersPerInterval(
      String tenant, String trafficClass, Set<Counter> wanted, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    List<Map<CounterKey, Long>> out = new ArrayList<>();
    for (int i = 0; i + 1 < boundaries.size(); i++) {
      out.add(new HashMap<>());
    }
    if (!wanted.isEmpty()) {
      for (ResolutionPlan.Segment s : plan(boundaries)) {
        Map<CounterKey, Long> into = out.get(s.interval());
        for (Window w : windowsOf(tenant, trafficClass, s)) {
          w.counters.forEach(
              (k, v) -> {
                if (wanted.contains(k.counter())) {
                  into.merge(k, v, Long::sum);
                }
              });
        }
      }
    }
    return out;
  }

  // --- SliceReader ----------------------------------------------------------------------------

  @Override
  public synchronized List<Map<String, Slice>> slicesPerInterval(
      String tenant, String trafficClass, Dimension dimension, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    List<Map<String, Slice>> out = new ArrayList<>();
    for (int i = 0; i + 1 < boundaries.size(); i++) {
      out.add(new TreeMap<>());
    }
    for (ResolutionPlan.Segment s : plan(boundaries)) {
      Map<String, Slice> into = out.get(s.interval());
      for (Window w : windowsOf(tenant, trafficClass, s)) {
        w.slices
            .getOrDefault(dimension, Map.of())
            .forEach(
                (value, slice) ->
                    into.computeIfAbsent(value, v -> Slice.empty(dimension, v)).add(slice));
      }
    }
    return out;
  }

  private List<ResolutionPlan.Segment> plan(List<Instant> boundaries) {
    Map<Integer, Instant> completeBefore = new HashMap<>();
    progress.forEach((resolution, p) -> completeBefore.put(resolution, p.completeBefore()));
    return ResolutionPlan.plan(rawSeconds, completeBefore, boundaries);
  }

  private Collection<Window> windowsOf(
      String tenant, String trafficClass, ResolutionPlan.Segment s) {
    NavigableMap<Long, Window> series =
        windows.get(new Series(tenant, trafficClass, s.resolutionSeconds()));
    if (series == null) {
      return List.of();
    }
    return series
        .subMap(s.fromEpochSeconds() * 1000, true, s.toEpochSeconds() * 1000, false)
        .values();
  }

  // --- ExemplarReader -------------------------------------------------------------------------

  /**
   * {@inheritDoc}
   *
   * <p>Range bounds count in whole milliseconds, as the PostgreSQL reader's do.
   */
  @Override
  public synchronized List<StoredExemplar> slowest(
      String tenant, String trafficClass, Instant from, Instant to, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    if (!from.isBefore(to)) {
      return List.of();
    }
    long fromMillis = from.toEpochMilli();
    long toMillis = to.toEpochMilli();
    List<StoredExemplar> out = new ArrayList<>();
    exemplars.forEach(
        (key, kept) -> {
          long start = key.windowStartEpochMillis();
          if (key.tenant().equals(tenant)
              && key.trafficClass().equals(trafficClass)
              && start >= fromMillis
              && start < toMillis) {
            for (Exemplar e : kept) {
              out.add(new StoredExemplar(Instant.ofEpochMilli(start), e));
            }
          }
        });
    out.sort(StoredExemplar.SLOWEST_FIRST);
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  private void addToTotals(WindowDelta d) {
    if (d.histograms().values().stream().allMatch(h -> h.getTotalCount() == 0)
        && d.counters().values().stream().allMatch(v -> v == 0)) {
      return;
    }
    Total t =
        totals.computeIfAbsent(
            new ClassKey(d.key().tenant(), d.key().trafficClass()),
            k -> new Total(clock.instant(), new EnumMap<>(Metric.class), new HashMap<>()));
    d.histograms()
        .forEach(
            (m, h) -> {
              if (h.getTotalCount() == 0) {
                return;
              }
              Histogram into = t.histograms().get(m);
              if (into == null) {
                Histogram copy = h.copy();
                copy.setAutoResize(true);
                t.histograms().put(m, copy);
              } else {
                into.add(h);
              }
            });
    d.counters()
        .forEach(
            (k, v) -> {
              if (v != 0) {
                t.counters().merge(k, v, Long::sum);
              }
            });
  }

  @Override
  public synchronized List<String> tenants(TenantScope scope) {
    return totals.keySet().stream()
        .map(ClassKey::tenant)
        .filter(scope::includes)
        .distinct()
        .toList();
  }

  @Override
  public synchronized List<ClassTotals> totals(TenantScope scope) {
    List<ClassTotals> out = new ArrayList<>();
    totals.forEach(
        (k, t) -> {
          if (scope.includes(k.tenant())) {
            Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
            t.histograms().forEach((m, v) -> h.put(m, v.copy()));
            out.add(new ClassTotals(k.tenant(), k.trafficClass(), t.since(), h, t.counters()));
          }
        });
    return out;
  }

  // --- Rollups --------------------------------------------------------------------------------

  /**
   * The rollup job over this store, as {@code PostgresRollups} over the database: the same
   * progress, the same recomputation of late-updated windows, the same retention.
   */
  public Rollups rollups(Rollups.Settings settings) {
    return now -> runRollups(settings, now);
  }

  private synchronized Rollups.Result runRollups(Rollups.Settings settings, Instant now) {
    Map<Integer, Integer> rolled = new HashMap<>();
    Instant fineComplete = null;
    List<Integer> levels = settings.levels();
    for (int i = 1; i < levels.size(); i++) {
      int fine = levels.get(i - 1);
      int coarse = levels.get(i);
      Instant bound = now.minus(settings.delay());
      if (fineComplete != null && fineComplete.isBefore(bound)) {
        bound = fineComplete;
      }
      Instant completeBefore = floor(bound, coarse);
      rolled.put(coarse, rollLevel(fine, coarse, completeBefore));
      fineComplete = completeBefore;
    }
    return new Rollups.Result(true, rolled, applyRetention(settings, now));
  }

  private int rollLevel(int fine, int coarse, Instant completeBefore) {
    Progress previous = progress.get(coarse);
    long startedAt = ++changes;
    int rolled = 0;
    if (previous != null) {
      // Coarse windows whose finer windows changed since the last run (very late data).
      TreeSet<Instant> stale = new TreeSet<>();
      windows.forEach(
          (series, byStart) -> {
            if (series.resolutionSeconds() == fine) {
              long before = previous.completeBefore().toEpochMilli();
              byStart
                  .headMap(before, false)
                  .forEach(
                      (start, w) -> {
                        if (w.updatedAt >= previous.rolledAt()) {
                          stale.add(floor(Instant.ofEpochMilli(start), coarse));
                        }
                      });
            }
          });
      for (Instant w : stale) {
        recompute(fine, coarse, w, w.plusSeconds(coarse));
        rolled++;
      }
    }
    Instant from = previous == null ? null : previous.completeBefore();
    if (from == null) {
      from = earliest(fine);
      from = floor(from == null ? completeBefore : from, coarse);
    }
    if (from.isBefore(completeBefore)) {
      rolled += recompute(fine, coarse, from, completeBefore);
    }
    Instant done =
        previous != null && previous.completeBefore().isAfter(completeBefore)
            ? previous.completeBefore()
            : completeBefore;
    progress.put(coarse, new Progress(done, startedAt));
    return rolled;
  }

  /**
   * Replaces the coarse windows of [from, to) by the merge of the finer ones, histogram by
   * histogram and counter by counter, as the PostgreSQL upserts do.
   *
   * @return how many distinct coarse window starts got a histogram
   */
  private int recompute(int fine, int coarse, Instant from, Instant to) {
    Map<Series, Map<Long, Window>> merged = new HashMap<>();
    windows.forEach(
        (series, byStart) -> {
          if (series.resolutionSeconds() != fine) {
            return;
          }
          Series target = new Series(series.tenant(), series.trafficClass(), coarse);
          byStart
              .subMap(from.toEpochMilli(), true, to.toEpochMilli(), false)
              .forEach(
                  (start, w) -> {
                    long coarseStart = floor(Instant.ofEpochMilli(start), coarse).toEpochMilli();
                    Window into =
                        merged
                            .computeIfAbsent(target, s -> new HashMap<>())
                            .computeIfAbsent(coarseStart, s -> new Window());
                    w.histograms.forEach(
                        (m, h) -> {
                          Histogram existing = into.histograms.get(m);
                          if (existing == null) {
                            into.histograms.put(m, h.copy());
                          } else {
                            existing.add(h);
                          }
                        });
                    w.counters.forEach((k, v) -> into.counters.merge(k, v, Long::sum));
                    w.slices.values().forEach(byValue -> byValue.values().forEach(into::addSlice));
                  });
        });
    Set<Long> withHistograms = new TreeSet<>();
    merged.forEach(
        (series, byStart) ->
            byStart.forEach(
                (start, m) -> {
                  Window w = window(series, start);
                  w.histograms.putAll(m.histograms);
                  w.counters.putAll(m.counters);
                  w.slices.putAll(m.slices);
                  w.updatedAt = ++changes;
                  if (!m.histograms.isEmpty()) {
                    withHistograms.add(start);
                  }
                }));
    return withHistograms.size();
  }

  private Instant earliest(int resolution) {
    Long min = null;
    for (Map.Entry<Series, NavigableMap<Long, Window>> e : windows.entrySet()) {
      if (e.getKey().resolutionSeconds() == resolution && !e.getValue().isEmpty()) {
        long first = e.getValue().firstKey();
        min = min == null ? first : Math.min(min, first);
      }
    }
    return min == null ? null : Instant.ofEpochMilli(min);
  }

  private long applyRetention(Rollups.Settings settings, Instant now) {
    long deleted = 0;
    List<Integer> levels = settings.levels();
    for (int i = 0; i < levels.size(); i++) {
      int resolution = levels.get(i);
      if (settings.retention().get(resolution) == null) {
        continue;
      }
      Instant cutoff = now.minus(settings.retention().get(resolution));
      if (i + 1 < levels.size()) {
        // Never delete what the next resolution does not cover yet.
        Progress covered = progress.get(levels.get(i + 1));
        if (covered == null) {
          continue;
        }
        if (covered.completeBefore().isBefore(cutoff)) {
          cutoff = covered.completeBefore();
        }
      }
      for (Map.Entry<Series, NavigableMap<Long, Window>> e : windows.entrySet()) {
        if (e.getKey().resolutionSeconds() != resolution) {
          continue;
        }
        for (Iterator<Window> it = before(e.getValue(), cutoff).values().iterator();
            it.hasNext(); ) {
          Window w = it.next();
          deleted += w.histograms.size() + w.counters.size();
          for (Map<String, Slice> byValue : w.slices.values()) {
            deleted += byValue.size();
          }
          it.remove();
        }
      }
      if (i == 0) {
        for (Iterator<Map.Entry<WindowKey, List<Exemplar>>> it = exemplars.entrySet().iterator();
            it.hasNext(); ) {
          Map.Entry<WindowKey, List<Exemplar>> e = it.next();
          if (Instant.ofEpochMilli(e.getKey().windowStartEpochMillis()).isBefore(cutoff)) {
            deleted += e.getValue().size();
            it.remove();
          }
        }
      }
    }
    windows.values().removeIf(Map::isEmpty);
    return deleted;
  }

  /** The windows starting before {@code t}. */
  private static NavigableMap<Long, Window> before(NavigableMap<Long, Window> byStart, Instant t) {
    long millis = t.toEpochMilli();
    // A window starting at the cutoff's millisecond is before it when the cutoff has more nanos.
    boolean inclusive = Instant.ofEpochMilli(millis).isBefore(t);
    return byStart.headMap(millis, inclusive);
  }

  private static Instant floor(Instant t, int seconds) {
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
  }
}
