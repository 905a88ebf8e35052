package dev.tierscope.core.alerting;

import dev.tierscope.core.leader.InMemoryLeaderElection;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.FencedException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reference implementation of {@link AlertStateStore} in memory, fenced by the terms of an {@link
 * InMemoryLeaderElection.Registry}.
 */
public final class InMemoryAlertStateStore implements AlertStateStore {

  private final InMemoryLeaderElection.Registry registry;
  private final Map<AlertKey, AlertState> states = new LinkedHashMap<>();

  public InMemoryAlertStateStore(InMemoryLeaderElection.Registry registry) {
    this.registry = registry;
  }

  @Override
  public synchronized Map<AlertKey, AlertState> load() {
    return new LinkedHashMap<>(states);
  }

  @Override
  public synchronized void save(
      Lease lease, Collection<AlertState> toSave, Collection<AlertKey> removed) {
    long current = registry.currentTerm(lease.role());
    if (current != lease.term()) {
      throw new FencedException(
          "alert state of term "
              + lease.term()
              + " refused: "
              + lease.role()
              + " is in term "
              + current);
    }
    for (AlertState s : toSave) {
      states.put(s.key(), s);
    }
    removed.forEach(states::remove);
  }
}
