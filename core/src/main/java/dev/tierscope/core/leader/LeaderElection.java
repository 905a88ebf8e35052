package dev.tierscope.core.leader;

import java.util.Optional;

/**
 * Elects one leader per role among every instance that shares a store, so that a side effect with
 * one sender (alert pushes, the admission control signal) runs exactly once in a deployment of
 * several instances.
 *
 * <p>Why polling rather than callbacks: the leader calls {@link #tryLead} before every round of
 * side effects, and leads for that round only if it gets a lease. A leader that lost its lock (its
 * database session died) finds out at the next call; what it wrote in between is refused by the
 * stores that check the lease's term. Instances that are not leading call the same method and take
 * over as soon as the leader is gone (it stepped down, stopped or its session ended).
 *
 * <pre>{@code
 * LeaderElection election = new PostgresLeaderElection(dataSource, "api-1");
 * Optional<Lease> lease = election.tryLead("alerting");
 * if (lease.isPresent()) {
 *   pushAlerts();
 *   stateStore.save(lease.get(), states);   // refused if a newer term exists
 * }
 * election.close();                          // steps down from every role
 * }</pre>
 *
 * <p>{@link LeaderLoop} runs such a round at a fixed interval.
 */
public interface LeaderElection extends AutoCloseable {

  /**
   * Leads {@code role} if no other live instance does, or confirms that this instance still does.
   * Never blocks on another instance.
   *
   * @param role lowercase name of what is led, such as {@code alerting}
   * @return the lease while this instance leads (the same term for as long as the leadership
   *     lasts), empty while another instance leads or the store cannot be reached
   */
  Optional<Lease> tryLead(String role);

  /** Gives {@code role} up if this instance leads it, so that another instance can take over. */
  void stepDown(String role);

  /** Steps down from every role led by this instance. */
  @Override
  void close();
}
