package dev.tierscope.aggregator.consumer;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one consumer loop ({@link SpanConsumerLoop}, or any loop that runs until closed) on its own
 * thread and, if the loop ever stops on its own (an exception it did not expect, an error of the
 * Kafka client), starts a new one with a fresh consumer after a backoff that doubles up to a
 * maximum. A loop that stopped never stays stopped silently: it is logged at ERROR, counted, and
 * {@link #status()} says RESTARTING until the new loop runs, which a health check reports as DOWN.
 *
 * <p>Why restart with a new consumer: a Kafka consumer cannot be reused once closed, and the new
 * loop rejoins the group, claims its partitions and resumes exactly from their checkpoints, so
 * nothing is lost or counted twice across the restart.
 *
 * <pre>{@code
 * LoopSupervisor<SpanConsumerLoop> supervisor = new LoopSupervisor<>(
 *     "tierscope-aggregator-0", () -> new SpanConsumerLoop(newConsumer(), store, dlq, settings,
 *     clock, metrics), clock, Duration.ofSeconds(1), Duration.ofMinutes(1));
 * supervisor.start();
 * supervisor.status();   // RUNNING, or RESTARTING with the reason
 * supervisor.close();    // the loop checkpoints and leaves the group
 * }</pre>
 */
public final class LoopSupervisor<L extends Runnable & AutoCloseable> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoopSupervisor.class);

  /** A loop that ran this long before it stopped starts again after the shortest backoff. */
  static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

  private final String name;
  private final Supplier<L> factory;
  private final Clock clock;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object wait = new Object();

  private volatile SupervisorStatus status;
  private volatile L current;
  private volatile boolean closing;
  private Thread thread;

  /**
   * @param name the thread's name
   * @param factory a new loop with a new consumer, each time it is called
   * @param minBackoff wait before the first restart, doubled for each further one
   * @param maxBackoff the longest wait between restarts
   */
  public LoopSupervisor(
      String name, Supplier<L> factory, Clock clock, Duration minBackoff, Duration maxBackoff) {
    if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= min <= max, was " + minBackoff + ", " + maxBackoff);
    }
    this.name = name;
    this.factory = factory;
    this.clock = clock;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.status =
        new SupervisorStatus(name, SupervisorStatus.State.STARTING, clock.instant(), 0, "");
  }

  /** Starts the supervising thread. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException(name + " already started");
    }
    thread = new Thread(this::supervise, name);
    thread.start();
  }

  private void supervise() {
    long backoffMillis = minBackoff.toMillis();
    int restarts = 0;
    try {
      while (!closing) {
        status =
            new SupervisorStatus(
                name, SupervisorStatus.State.STARTING, clock.instant(), restarts, last());
        long started = clock.millis();
        Throwable failure = null;
        try {
          L loop = factory.get();
          current = loop;
          if (closing) {
            closeQuietly(loop);
            break;
          }
          status =
              new SupervisorStatus(
                  name, SupervisorStatus.State.RUNNING, clock.instant(), restarts, last());
          loop.run();
        } catch (Throwable t) {
          failure = t;
        }
        if (closing) {
          break;
        }
        restarts++;
        String why =
            failure == null
                ? "returned without being closed"
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (clock.millis() - started >= HEALTHY_RUN.toMillis()) {
          backoffMillis = minBackoff.toMillis();
        }
        status =
            new SupervisorStatus(
                name, SupervisorStatus.State.RESTARTING, clock.instant(), restarts, why);
        log.error(
            "aggregator loop {} stopped ({}); starting a new one in {} ms (restart {})",
            name,
            why,
            backoffMillis,
            restarts,
            failure);
        pause(backoffMillis);
        backoffMillis = Math.min(Math.max(1, backoffMillis * 2), maxBackoff.toMillis());
      }
    } finally {
      status =
          new SupervisorStatus(
              name, SupervisorStatus.State.STOPPED, clock.instant(), status.restarts(), last());
      stopped.countDown();
    }
  }

  private String last() {
    SupervisorStatus s = status;
    return s == null ? "" : s.lastFailure();
  }

  private void pause(long millis) {
    synchronized (wait) {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!closing) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          wait.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void closeQuietly(L loop) {
    try {
      loop.close();
    } catch (Exception e) {
      log.warn("closing {} failed: {}", name, e.toString());
    }
  }

  /** Where the loop stands; safe from any thread. */
  public SupervisorStatus status() {
    return status;
  }

  /** The loop running now (or last), null before the first; for gauges. */
  public L current() {
    return current;
  }

  /** Stops supervising and closes the loop (it checkpoints and leaves the group). */
  @Override
  public void close() {
    closing = true;
    synchronized (wait) {
      wait.notifyAll();
    }
    L loop = current;
    if (loop != null) {
      closeQuietly(loop);
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      try {
        stopped.await(35, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
