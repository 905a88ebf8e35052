package dev.tierscope.store;

import dev.tierscope.core.leader.InMemoryLeaderElection;
import dev.tierscope.core.leader.LeaderElection;

/** The reference in-memory election against the leader election contract. */
class InMemoryLeaderElectionTest extends LeaderElectionContract {

  private final InMemoryLeaderElection.Registry deployment = new InMemoryLeaderElection.Registry();

  @Override
  protected LeaderElection newInstance() {
    return new InMemoryLeaderElection(deployment);
  }

  @Override
  protected void crash(LeaderElection instance) {
    ((InMemoryLeaderElection) instance).crash();
  }
}
