package dev.tierscope.store;

import dev.tierscope.core.alerting.AlertStateStore;
import dev.tierscope.core.alerting.InMemoryAlertStateStore;
import dev.tierscope.core.leader.InMemoryLeaderElection;
import dev.tierscope.core.leader.LeaderElection;

/** The reference in-memory alert state store against its contract. */
class InMemoryAlertStateStoreTest extends AlertStateStoreContract {

  private final InMemoryLeaderElection.Registry deployment = new InMemoryLeaderElection.Registry();
  private final InMemoryAlertStateStore store = new InMemoryAlertStateStore(deployment);

  @Override
  protected LeaderElection newElection() {
    return new InMemoryLeaderElection(deployment);
  }

  @Override
  protected AlertStateStore store() {
    return store;
  }
}
