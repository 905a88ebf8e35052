package dev.tierscope.aggregator.consumer;

import java.time.Instant;

/**
 * Whether one consumer loop is alive, as its {@link LoopSupervisor} sees it (the loop's own view,
 * ownership and lag, is {@link LoopStatus}): the minimal liveness a health check reports (DOWN
 * while a loop is being restarted). The fields say what an operator needs first: since when, how
 * often it was restarted, and why the last time.
 *
 * @param name the loop's name (its thread's)
 * @param state what the loop is doing
 * @param since when it entered that state
 * @param restarts times the loop stopped on its own and was started again
 * @param lastFailure why it last stopped ({@code Exception: message}), empty when it never did
 */
public record SupervisorStatus(
    String name, State state, Instant since, int restarts, String lastFailure) {

  /** The life of a supervised loop. */
  public enum State {
    /** Being created (a new consumer), not polling yet. */
    STARTING,
    /** Polling and checkpointing. */
    RUNNING,
    /** It stopped on its own; waiting out the backoff before the next start. */
    RESTARTING,
    /** Closed on purpose (shutdown). */
    STOPPED
  }

  /** True while the loop is running or starting: what health reports as UP. */
  public boolean alive() {
    return state == State.RUNNING || state == State.STARTING;
  }
}
