package dev.tierscope.core.control;

import dev.tierscope.core.leader.Lease;
import java.util.List;
import java.util.Map;

/**
 * Where the control leader keeps each tenant's {@link ControlState} and current signals: the state
 * so that a successor continues the hysteresis and dwell instead of starting over, the signals so
 * that every API instance serves them ({@code GET /api/v1/control} and its stream), whichever
 * instance leads.
 */
public interface ControlStore {

  /** The state of every tenant evaluated so far, by tenant. */
  Map<String, ControlState> states();

  /**
   * Writes a tenant's state and signals (replacing the tenant's previous ones), atomically, if
   * {@code lease} is still the newest term of its role.
   *
   * @throws dev.tierscope.core.store.FencedException when a newer leader exists; nothing is written
   */
  void save(Lease lease, ControlState state, List<ControlSignal> signals);

  /**
   * The current signals, ordered by tenant, then class (configuration order is the caller's to
   * apply).
   *
   * @param tenant one tenant, or null for every tenant
   */
  List<ControlSignal> signals(String tenant);
}
