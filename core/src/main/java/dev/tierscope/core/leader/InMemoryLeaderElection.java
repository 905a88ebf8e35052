package dev.tierscope.core.leader;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reference implementation of {@link LeaderElection} in memory: instances of one {@link Registry}
 * elect among themselves as instances sharing a database do. The behaviour the PostgreSQL election
 * must match, and a fake for tests of the layers above.
 *
 * <pre>{@code
 * InMemoryLeaderElection.Registry deployment = new InMemoryLeaderElection.Registry();
 * InMemoryLeaderElection a = new InMemoryLeaderElection(deployment);
 * InMemoryLeaderElection b = new InMemoryLeaderElection(deployment);
 * a.tryLead("alerting");   // a lease with term 1
 * b.tryLead("alerting");   // empty
 * a.crash();               // as if a's database session died
 * b.tryLead("alerting");   // a lease with term 2
 * }</pre>
 */
public final class InMemoryLeaderElection implements LeaderElection {

  /** The shared state a deployment elects on: who leads each role, and each role's last term. */
  public static final class Registry {
    private final Map<String, InMemoryLeaderElection> leaders = new HashMap<>();
    private final Map<String, Long> terms = new HashMap<>();

    /** The newest term of {@code role}: the current leader's, or the last one's; 0 before any. */
    public synchronized long currentTerm(String role) {
      return terms.getOrDefault(role, 0L);
    }
  }

  private final Registry registry;

  public InMemoryLeaderElection(Registry registry) {
    this.registry = registry;
  }

  @Override
  public Optional<Lease> tryLead(String role) {
    Lease.checkRole(role);
    synchronized (registry) {
      InMemoryLeaderElection leader = registry.leaders.get(role);
      if (leader == this) {
        return Optional.of(new Lease(role, registry.terms.get(role)));
      }
      if (leader != null) {
        return Optional.empty();
      }
      long term = registry.terms.getOrDefault(role, 0L) + 1;
      registry.terms.put(role, term);
      registry.leaders.put(role, this);
      return Optional.of(new Lease(role, term));
    }
  }

  @Override
  public void stepDown(String role) {
    synchronized (registry) {
      registry.leaders.remove(role, this);
    }
  }

  /**
   * Ends every leadership of this instance the way a dead database session does, without the
   * instance taking part; it finds out at its next {@link #tryLead}.
   */
  public void crash() {
    close();
  }

  @Override
  public void close() {
    synchronized (registry) {
      registry.leaders.values().removeIf(l -> l == this);
    }
  }
}
