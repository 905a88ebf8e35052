package dev.tierscope.core.alerting;

import dev.tierscope.core.leader.Lease;
import java.util.Collection;
import java.util.Map;

/**
 * Where the alerting leader keeps the firing state of the pushed alerts, so that a successor
 * neither forgets a firing alert (it would never be resolved) nor pages again for one already
 * pushed.
 */
public interface AlertStateStore {

  /** Every remembered alert. */
  Map<AlertKey, AlertState> load();

  /**
   * Writes {@code states} (insert or replace) and forgets {@code removed}, atomically, if {@code
   * lease} is still the newest term of its role.
   *
   * @throws dev.tierscope.core.store.FencedException when a newer leader exists; nothing is written
   */
  void save(Lease lease, Collection<AlertState> states, Collection<AlertKey> removed);
}
