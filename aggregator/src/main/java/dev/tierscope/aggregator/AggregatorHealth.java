package dev.tierscope.aggregator;

import dev.tierscope.aggregator.consumer.LoopStatus;
import dev.tierscope.aggregator.consumer.SupervisorStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The aggregator's health as two indicators, read from what each consumer loop last reported
 * ({@link LoopStatus}), so that they answer at once whatever is down:
 *
 * <ul>
 *   <li>{@link #liveness()} ({@code aggregatorLoops}, in the {@code liveness} group): DOWN when a
 *       loop's thread has ended, while a loop that stopped is being restarted by its {@code
 *       LoopSupervisor}, or when it has not reported for {@code stall-timeout}. A restart helps.
 *   <li>{@link #readiness()} ({@code aggregatorPartitions}, in the {@code readiness} group):
 *       OUT_OF_SERVICE until every loop owns its assigned partitions, has reloaded them from the
 *       last checkpoint and caught up (lag under {@code max-lag}), and while the last successful
 *       checkpoint is older than {@code checkpoint-age-limit} (PostgreSQL unreachable, a fenced or
 *       reload loop). A restart does not help; the details say what is wrong.
 * </ul>
 */
public final class AggregatorHealth {

  /**
   * One loop as health sees it: its last status, and whether it is alive (its thread runs a loop,
   * not waiting out the backoff before a restart); {@code supervisor} says how often it was
   * restarted and why, null when the loop is not supervised.
   */
  record LoopView(
      String name, LoopStatus status, boolean threadAlive, SupervisorStatus supervisor) {}

  private final Supplier<List<LoopView>> loops;
  private final Supplier<Boolean> running;
  private final AggregatorHealthProperties limits;
  private final Clock clock;

  AggregatorHealth(
      Supplier<List<LoopView>> loops,
      Supplier<Boolean> running,
      AggregatorHealthProperties limits,
      Clock clock) {
    this.loops = loops;
    this.running = running;
    this.limits = limits;
    this.clock = clock;
  }

  /** Liveness: the loops' threads run and report. */
  public HealthIndicator liveness() {
    return () -> {
      long now = clock.millis();
      Health.Builder health = Health.up();
      List<String> problems = new ArrayList<>();
      for (LoopView l : loops.get()) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", l.status().state().name().toLowerCase(java.util.Locale.ROOT));
        d.put("threadAlive", l.threadAlive());
        long silentMillis = now - l.status().publishedEpochMillis();
        d.put("lastReportAgeSeconds", silentMillis / 1000.0);
        if (l.supervisor() != null) {
          d.put("restarts", l.supervisor().restarts());
          if (!l.supervisor().lastFailure().isEmpty()) {
            d.put("lastFailure", l.supervisor().lastFailure());
          }
        }
        if (running.get()
            && l.supervisor() != null
            && l.supervisor().state() == SupervisorStatus.State.RESTARTING) {
          problems.add(
              l.name() + ": stopped (" + l.supervisor().lastFailure() + "), being restarted");
        } else if (running.get() && !l.threadAlive()) {
          problems.add(l.name() + ": consumer thread ended");
        } else if (l.threadAlive() && silentMillis > limits.stallTimeout().toMillis()) {
          problems.add(l.name() + ": no report for " + silentMillis / 1000 + " s (stuck)");
        }
        health.withDetail(l.name(), d);
      }
      if (!problems.isEmpty()) {
        health.down().withDetail("problems", problems);
      }
      return health.build();
    };
  }

  /** Readiness: partitions owned, reloaded and caught up; checkpoints succeed. */
  public HealthIndicator readiness() {
    return () -> {
      long now = clock.millis();
      Health.Builder health = Health.up();
      List<String> problems = new ArrayList<>();
      for (LoopView l : loops.get()) {
        LoopStatus s = l.status();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("inGroup", s.inGroup());
        d.put("assignedPartitions", s.assignedPartitions());
        d.put("ownedPartitions", s.ownedPartitions());
        d.put("reloading", s.reloading());
        d.put("failuresInARow", s.failuresInARow());
        long age = s.checkpointAgeMillis(now);
        d.put("checkpointAgeSeconds", age / 1000.0);
        d.put("lagRecords", s.lagRecords());
        d.put("lagSeconds", s.lagMillis() / 1000.0);
        if (!s.lastFailure().isEmpty()) {
          d.put("lastFailure", s.lastFailure());
        }
        health.withDetail(l.name(), d);
        if (s.state() != LoopStatus.State.RUNNING) {
          problems.add(l.name() + ": " + s.state().name().toLowerCase(java.util.Locale.ROOT));
        } else if (s.reloading()) {
          problems.add(
              l.name()
                  + ": reloading partitions from the last checkpoint ("
                  + s.lastFailure()
                  + ")");
        } else if (!s.inGroup() || !s.caughtUp()) {
          problems.add(l.name() + ": waiting for its partitions");
        } else if (s.lagMillis() > limits.maxLag().toMillis()) {
          problems.add(l.name() + ": catching up, " + s.lagMillis() / 1000 + " s behind");
        }
        if (age > limits.checkpointAgeLimit().toMillis()) {
          problems.add(l.name() + ": last successful checkpoint " + age / 1000 + " s ago");
        }
      }
      if (!problems.isEmpty()) {
        health.status(Status.OUT_OF_SERVICE).withDetail("problems", problems);
      }
      return health.build();
    };
  }
}
