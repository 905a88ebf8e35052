package dev.tierscope.server.surge;

import dev.tierscope.simulator.Simulation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simulated clock of a surge proof, for everything that needs "now" (the api's control leader,
 * the gateway's advisor): the wall clock until the proof runs, then a {@link ScaledClock} from that
 * instant on ({@link #scaleFrom}); once the simulations run, the simulated time the slowest of them
 * has reached ({@link Simulation#reached()}).
 *
 * <p>Why follow the simulations rather than the wall clock: a compressed run on a loaded machine
 * may not keep its speed; if Tierscope's clock ran ahead of the traffic, the control leader would
 * judge windows whose requests have not been sent yet. Following the simulations, every part of the
 * proof agrees on simulated time, whatever the machine's load; only the pipeline's own processing
 * time counts against the reaction.
 */
final class ProofClock extends Clock {

  private volatile Clock before;
  private final List<Simulation> simulations = new CopyOnWriteArrayList<>();

  ProofClock(Clock before) {
    this.before = before;
  }

  /** From now on, before the simulations run, reads {@code scaled}. */
  void scaleFrom(ScaledClock scaled) {
    this.before = scaled;
  }

  /** Follows {@code simulation} from its start on. */
  void follow(Simulation simulation) {
    simulations.add(simulation);
  }

  @Override
  public Instant instant() {
    Instant min = null;
    for (Simulation s : simulations) {
      Instant t = s.reached();
      if (t == null) {
        return before.instant();
      }
      if (min == null || t.isBefore(min)) {
        min = t;
      }
    }
    return min == null ? before.instant() : min;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
