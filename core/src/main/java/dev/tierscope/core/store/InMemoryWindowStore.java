package dev.tierscope.core.store;

import dev.tierscope.core.query.ResolutionPlan;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 */
public final class InMemoryWindowStore
    implements CheckpointStore, WindowReader, ExemplarReader, TotalsReader {

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

  private final Map<Key, Row> checkpoints = new HashMap<>();
  private final Map<WindowKey, Map<Metric, Histogram>> histograms = new HashMap<>();
  private final Map<WindowKey, Map<CounterKey, Long>> counters = new HashMap<>();
  private final Map<WindowKey, List<Exemplar>> exemplars = new HashMap<>();

  private record ClassKey(String tenant, String trafficClass) {}

  private record Total(
      Instant since, Map<Metric, Histogram> histograms, Map<CounterKey, Long> counters) {}

  private final Map<ClassKey, Total> totals =
      new TreeMap<>(Comparator.comparing(ClassKey::tenant).thenComparing(ClassKey::trafficClass));

  private final Clock clock;

  /** A store that stamps totals with the system clock. */
  public InMemoryWindowStore() {
    this(Clock.systemUTC());
  }

  /**
   * @param clock stamps when the totals of a class began ({@link ClassTotals#since()}) and when a
   *     checkpoint row was written, against which claim leases are measured
   */
  public InMemoryWindowStore(Clock clock) {
    this.clock = clock;
  }

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
    for (WindowDelta d : deltas) {
      String problem = refusal(d);
      if (problem != null) {
        refused.add(new RefusedDelta(d.key(), problem));
        continue;
      }
      Map<Metric, Histogram> stored = histograms.computeIfAbsent(d.key(), k -> new HashMap<>());
      d.histograms()
          .forEach(
              (m, h) -> {
                Histogram into = stored.get(m);
                if (into == null) {
                  stored.put(m, h.copy());
                } else {
                  into.add(h);
                }
              });
      Map<CounterKey, Long> c = counters.computeIfAbsent(d.key(), k -> new HashMap<>());
      d.counters().forEach((k, v) -> c.merge(k, v, Long::sum));
      if (!d.exemplars().isEmpty()) {
        keepSlowest(exemplars.computeIfAbsent(d.key(), k -> new ArrayList<>()), d.exemplars());
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
    Map<CounterKey, Long> stored = counters.getOrDefault(d.key(), Map.of());
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
    return null;
  }

  private static boolean hasNul(String s) {
    return s.indexOf('\u0000') >= 0;
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

  @Override
  public synchronized List<Map<Metric, Histogram>> mergedPerInterval(
      String tenant, String trafficClass, Set<Metric> metrics, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    List<Map<Metric, Histogram>> out = new ArrayList<>();
    for (int i = 0; i + 1 < boundaries.size(); i++) {
      Map<Metric, Histogram> m = new EnumMap<>(Metric.class);
      for (Metric metric : metrics) {
        m.put(metric, new Histogram(2));
      }
      out.add(m);
    }
    histograms.forEach(
        (key, byMetric) -> {
          int i = interval(key, tenant, trafficClass, boundaries);
          if (i >= 0) {
            byMetric.forEach(
                (metric, h) -> {
                  Histogram into = out.get(i).get(metric);
                  if (into != null) {
                    into.add(h);
                  }
                });
          }
        });
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
    counters.forEach(
        (key, c) -> {
          int i = interval(key, tenant, trafficClass, boundaries);
          if (i >= 0) {
            c.forEach(
                (k, v) -> {
                  if (wanted.contains(k.counter())) {
                    out.get(i).merge(k, v, Long::sum);
                  }
                });
          }
        });
    return out;
  }

  private static int interval(
      WindowKey key, String tenant, String trafficClass, List<Instant> boundaries) {
    if (!key.tenant().equals(tenant) || !key.trafficClass().equals(trafficClass)) {
      return -1;
    }
    return ResolutionPlan.intervalOf(boundaries, key.windowStartEpochMillis());
  }
}
