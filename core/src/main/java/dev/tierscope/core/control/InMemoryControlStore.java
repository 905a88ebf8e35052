package dev.tierscope.core.control;

import dev.tierscope.core.leader.InMemoryLeaderElection;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.FencedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reference implementation of {@link ControlStore} in memory, fenced by the terms of an {@link
 * InMemoryLeaderElection.Registry}; the behaviour the PostgreSQL store must match.
 */
public final class InMemoryControlStore implements ControlStore {

  private final InMemoryLeaderElection.Registry registry;
  private final Map<String, ControlState> states = new TreeMap<>();
  private final Map<String, List<ControlSignal>> signals = new TreeMap<>();

  public InMemoryControlStore(InMemoryLeaderElection.Registry registry) {
    this.registry = registry;
  }

  @Override
  public synchronized Map<String, ControlState> states() {
    return new TreeMap<>(states);
  }

  @Override
  public synchronized void save(Lease lease, ControlState state, List<ControlSignal> s) {
    long current = registry.currentTerm(lease.role());
    if (current != lease.term()) {
      throw new FencedException(
          "control state of term "
              + lease.term()
              + " refused: "
              + lease.role()
              + " is in term "
              + current);
    }
    for (ControlSignal signal : s) {
      if (!signal.tenant().equals(state.tenant())) {
        throw new IllegalArgumentException(
            "signal of " + signal.tenant() + " saved with the state of " + state.tenant());
      }
    }
    states.put(state.tenant(), state);
    List<ControlSignal> sorted = new ArrayList<>(s);
    sorted.sort(java.util.Comparator.comparing(ControlSignal::trafficClass));
    signals.put(state.tenant(), List.copyOf(sorted));
  }

  @Override
  public synchronized List<ControlSignal> signals(String tenant) {
    List<ControlSignal> out = new ArrayList<>();
    if (tenant != null) {
      out.addAll(signals.getOrDefault(tenant, List.of()));
    } else {
      signals.values().forEach(out::addAll);
    }
    return out;
  }
}
