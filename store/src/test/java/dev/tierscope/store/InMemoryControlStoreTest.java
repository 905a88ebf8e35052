package dev.tierscope.store;

import dev.tierscope.core.control.ControlStore;
import dev.tierscope.core.control.InMemoryControlStore;
import dev.tierscope.core.leader.InMemoryLeaderElection;
import dev.tierscope.core.leader.LeaderElection;

/** The reference implementation passes the contract. */
class InMemoryControlStoreTest extends ControlStoreContract {

  private final InMemoryLeaderElection.Registry deployment = new InMemoryLeaderElection.Registry();
  private final InMemoryControlStore store = new InMemoryControlStore(deployment);

  @Override
  protected LeaderElection newElection() {
    return new InMemoryLeaderElection(deployment);
  }

  @Override
  protected ControlStore store() {
    return store;
  }
}
