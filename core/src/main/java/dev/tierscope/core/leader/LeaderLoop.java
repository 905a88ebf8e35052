package dev.tierscope.core.leader;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a round of side effects at a fixed interval in whichever instance leads a role: each tick
 * asks the {@link LeaderElection} for a lease and, if this instance leads, runs the round with it.
 *
 * <p>Why rounds: a leader may lose its lock at any moment, so leadership is re-checked before every
 * round and the round gets the lease to pass to the stores it writes (which refuse a stale term). A
 * round that throws is reported to the {@link Listener} and the next tick tries again.
 *
 * <pre>{@code
 * LeaderLoop loop = new LeaderLoop(election, "alerting", Duration.ofSeconds(15), lease -> {
 *   evaluateAndPush(lease);
 * }, LeaderLoop.Listener.NONE).start();
 * ...
 * loop.close();   // stops ticking and steps down
 * }</pre>
 */
public final class LeaderLoop implements AutoCloseable {

  /** One round of side effects, run only while this instance leads. */
  @FunctionalInterface
  public interface Round {
    void run(Lease lease) throws Exception;
  }

  /** Told what each tick did; for metrics and logs. */
  public interface Listener {
    Listener NONE = new Listener() {};

    /** A tick found another instance leading (or the store unreachable). */
    default void notLeading(String role) {}

    /** A round ran to its end. */
    default void ran(Lease lease) {}

    /** A round, or the election itself, failed. */
    default void failed(String role, Exception e) {}
  }

  private final LeaderElection election;
  private final String role;
  private final Duration interval;
  private final Round round;
  private final Listener listener;
  private ScheduledExecutorService executor;

  /**
   * @param interval time between the starts of two ticks
   */
  public LeaderLoop(
      LeaderElection election, String role, Duration interval, Round round, Listener listener) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    this.election = election;
    this.role = Lease.checkRole(role);
    this.interval = interval;
    this.round = round;
    this.listener = listener;
  }

  /**
   * Starts ticking on a daemon thread named {@code tierscope-leader-<role>}; the first tick now.
   */
  public synchronized LeaderLoop start() {
    if (executor != null) {
      throw new IllegalStateException("already started");
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tierscope-leader-" + role);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * One tick on the caller's thread: leads if it can and runs the round.
   *
   * @return true when this instance led and the round completed
   */
  public boolean runOnce() {
    Optional<Lease> lease;
    try {
      lease = election.tryLead(role);
    } catch (RuntimeException e) {
      listener.failed(role, e);
      return false;
    }
    if (lease.isEmpty()) {
      listener.notLeading(role);
      return false;
    }
    try {
      round.run(lease.get());
      listener.ran(lease.get());
      return true;
    } catch (Exception e) {
      listener.failed(role, e);
      return false;
    }
  }

  /** Stops ticking (waits up to 30 s for a running round) and steps down. */
  @Override
  public void close() {
    ScheduledExecutorService e;
    synchronized (this) {
      e = executor;
      executor = null;
    }
    if (e != null) {
      e.shutdown();
      try {
        e.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    election.stepDown(role);
  }
}
