package dev.tierscope.core.control;

import dev.tierscope.core.leader.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One round of the control leader: for every tenant, read its inputs, let the {@link ControlPolicy}
 * decide from its stored state, save the state and signals under the lease (refused when a newer
 * leader exists), and publish the signals that changed, plus every signal again once per {@code
 * republish} interval (so that a consumer of the compacted topic sees they are still valid before
 * they expire).
 *
 * <p>Why the state goes through the store every round: the leader may change at any round; a
 * successor reads the same state and continues, so a failover neither resets a dwell nor forgets a
 * restriction.
 *
 * <pre>{@code
 * ControlRound round = new ControlRound(policy, inputs, store, publisher, tenants, clock,
 *     Duration.ofSeconds(10));
 * new LeaderLoop(election, "control", Duration.ofSeconds(1), round::run, listener).start();
 * }</pre>
 */
public final class ControlRound {

  /** What a round did. */
  public record Result(int tenants, int published, List<Transition> transitions) {}

  private final ControlPolicy policy;
  private final ControlInputsReader inputs;
  private final ControlStore store;
  private final SignalPublisher publisher;
  private final Supplier<? extends Collection<String>> tenants;
  private final Clock clock;
  private final Duration republish;
  private final Map<String, ControlSignal> lastPublished = new HashMap<>();
  private Instant lastRepublish = Instant.MIN;
  private long lastTerm = -1;

  /**
   * @param tenants the tenants with data (a tenant with stored state is evaluated too, so that its
   *     restrictions relax once its traffic stops)
   * @param republish how often every signal is published again though unchanged
   */
  public ControlRound(
      ControlPolicy policy,
      ControlInputsReader inputs,
      ControlStore store,
      SignalPublisher publisher,
      Supplier<? extends Collection<String>> tenants,
      Clock clock,
      Duration republish) {
    this.policy = policy;
    this.inputs = inputs;
    this.store = store;
    this.publisher = publisher;
    this.tenants = tenants;
    this.clock = clock;
    this.republish = republish;
  }

  /**
   * Evaluates every tenant under {@code lease}.
   *
   * @throws dev.tierscope.core.store.FencedException when a newer leader exists
   */
  public synchronized Result run(Lease lease) {
    if (lease.term() != lastTerm) {
      // a new leadership: nothing is known to be published under it yet
      lastPublished.clear();
      lastRepublish = Instant.MIN;
      lastTerm = lease.term();
    }
    Instant now = clock.instant();
    Map<String, ControlState> states = store.states();
    Set<String> all = new LinkedHashSet<>(tenants.get());
    all.addAll(states.keySet());
    boolean everything = !now.isBefore(lastRepublish.plus(republish));
    List<ControlSignal> toPublish = new ArrayList<>();
    List<Transition> transitions = new ArrayList<>();
    for (String tenant : all) {
      ControlState previous = states.getOrDefault(tenant, ControlState.initial(tenant, now));
      ControlPolicy.Evaluation e = policy.evaluate(previous, inputs.read(tenant, now));
      store.save(lease, e.state(), e.signals());
      transitions.addAll(e.transitions());
      for (ControlSignal s : e.signals()) {
        ControlSignal before = lastPublished.get(s.key());
        if (everything || !s.sameDecision(before)) {
          toPublish.add(s);
        }
      }
    }
    if (!toPublish.isEmpty()) {
      publisher.publish(toPublish);
      toPublish.forEach(s -> lastPublished.put(s.key(), s));
    }
    if (everything) {
      lastRepublish = now;
    }
    return new Result(all.size(), toPublish.size(), transitions);
  }
}
