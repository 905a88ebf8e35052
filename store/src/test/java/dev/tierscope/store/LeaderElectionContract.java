package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.LeaderLoop;
import dev.tierscope.core.leader.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LeaderElection} must show: at most one leader per role among the
 * instances of a deployment, a term that grows with every new leadership and stays while it lasts,
 * takeover after a step-down or a crash, roles independent of each other.
 *
 * <p>Implementations supply instances that elect on one shared backend and a way to crash one (its
 * leaderships end without it taking part, as when a database session dies). Every case uses roles
 * of its own, so a backend may be shared between cases.
 */
public abstract class LeaderElectionContract {

  /** A new instance of the deployment under test. */
  protected abstract LeaderElection newInstance();

  /** Ends every leadership of {@code instance} behind its back. */
  protected abstract void crash(LeaderElection instance) throws Exception;

  private final List<LeaderElection> instances = new ArrayList<>();
  protected String role;

  @BeforeEach
  void uniqueRole() {
    role = "role-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeInstances() {
    instances.forEach(LeaderElection::close);
  }

  private LeaderElection instance() {
    LeaderElection e = newInstance();
    instances.add(e);
    return e;
  }

  @Test
  void theFirstCandidateLeadsAndTheOthersDoNot() {
    LeaderElection a = instance();
    LeaderElection b = instance();

    Optional<Lease> lease = a.tryLead(role);
    assertThat(lease).isPresent();
    assertThat(lease.get().role()).isEqualTo(role);
    assertThat(b.tryLead(role)).isEmpty();
    assertThat(b.tryLead(role)).as("asking again changes nothing").isEmpty();
  }

  @Test
  void theLeaderKeepsItsTermForAsLongAsItLeads() {
    LeaderElection a = instance();
    LeaderElection b = instance();
    long term = a.tryLead(role).orElseThrow().term();
    for (int i = 0; i < 5; i++) {
      assertThat(a.tryLead(role)).contains(new Lease(role, term));
      assertThat(b.tryLead(role)).isEmpty();
    }
  }

  @Test
  void aStepDownLetsAnotherInstanceLeadInAHigherTerm() {
    LeaderElection a = instance();
    LeaderElection b = instance();
    long first = a.tryLead(role).orElseThrow().term();

    a.stepDown(role);
    Lease second = b.tryLead(role).orElseThrow();
    assertThat(second.term()).isGreaterThan(first);
    assertThat(a.tryLead(role)).as("the old leader waits now").isEmpty();

    b.stepDown(role);
    assertThat(a.tryLead(role).orElseThrow().term()).isGreaterThan(second.term());
  }

  @Test
  void aCrashedLeaderIsReplacedAndCannotLeadOnInItsOldTerm() throws Exception {
    LeaderElection a = instance();
    LeaderElection b = instance();
    long first = a.tryLead(role).orElseThrow().term();

    crash(a);
    Lease second = b.tryLead(role).orElseThrow();
    assertThat(second.term()).isGreaterThan(first);
    assertThat(a.tryLead(role)).as("the crashed instance finds out it no longer leads").isEmpty();
    assertThat(b.tryLead(role)).contains(second);
  }

  @Test
  void aCrashedLeaderLeadsAgainInANewTermWhenNobodyElseDid() throws Exception {
    LeaderElection a = instance();
    long first = a.tryLead(role).orElseThrow().term();
    crash(a);
    assertThat(a.tryLead(role).orElseThrow().term()).isGreaterThan(first);
  }

  @Test
  void rolesAreElectedIndependently() {
    LeaderElection a = instance();
    LeaderElection b = instance();
    String other = role + "-other";

    assertThat(a.tryLead(role)).isPresent();
    assertThat(b.tryLead(other)).isPresent();
    assertThat(a.tryLead(other)).isEmpty();
    assertThat(b.tryLead(role)).isEmpty();
    a.stepDown(other); // not led by a: changes nothing
    assertThat(b.tryLead(other)).isPresent();
  }

  @Test
  void closeStepsDownFromEveryRole() {
    LeaderElection a = newInstance();
    LeaderElection b = instance();
    String other = role + "-other";
    a.tryLead(role).orElseThrow();
    a.tryLead(other).orElseThrow();

    a.close();
    assertThat(b.tryLead(role)).isPresent();
    assertThat(b.tryLead(other)).isPresent();
  }

  @Test
  void concurrentCandidatesElectExactlyOne() throws Exception {
    int n = 4;
    List<LeaderElection> candidates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      candidates.add(instance());
    }
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Optional<Lease>>> results = new ArrayList<>();
      for (LeaderElection c : candidates) {
        results.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  return c.tryLead(role);
                }));
      }
      List<Lease> leases = new ArrayList<>();
      for (Future<Optional<Lease>> f : results) {
        f.get(60, TimeUnit.SECONDS).ifPresent(leases::add);
      }
      assertThat(leases).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLeaderLoopRunsItsRoundOnlyInTheLeadingInstance() throws Exception {
    LeaderElection a = instance();
    LeaderElection b = instance();
    AtomicInteger roundsA = new AtomicInteger();
    AtomicInteger roundsB = new AtomicInteger();
    List<Long> terms = new ArrayList<>();
    LeaderLoop loopA =
        new LeaderLoop(
            a,
            role,
            Duration.ofHours(1),
            lease -> {
              roundsA.incrementAndGet();
              terms.add(lease.term());
            },
            LeaderLoop.Listener.NONE);
    LeaderLoop loopB =
        new LeaderLoop(
            b,
            role,
            Duration.ofHours(1),
            lease -> roundsB.incrementAndGet(),
            LeaderLoop.Listener.NONE);

    assertThat(loopA.runOnce()).isTrue();
    assertThat(loopB.runOnce()).isFalse();
    assertThat(loopA.runOnce()).isTrue();
    loopA.close(); // steps down
    assertThat(loopB.runOnce()).isTrue();
    assertThat(roundsA).hasValue(2);
    assertThat(roundsB).hasValue(1);
    assertThat(terms).hasSize(2).allMatch(t -> t.equals(terms.get(0)));
    loopB.close();
  }

  @Test
  void aFailingRoundIsReportedAndTheNextTickRunsAgain() {
    LeaderElection a = instance();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    LeaderLoop loop =
        new LeaderLoop(
            a,
            role,
            Duration.ofHours(1),
            lease -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("push failed");
              }
            },
            new LeaderLoop.Listener() {
              @Override
              public void failed(String r, Exception e) {
                failures.incrementAndGet();
              }
            });
    assertThat(loop.runOnce()).isFalse();
    assertThat(loop.runOnce()).isTrue();
    assertThat(failures).hasValue(1);
    loop.close();
  }

  @Test
  void roleNamesAreChecked() {
    LeaderElection a = instance();
    assertThatThrownBy(() -> a.tryLead("Alerting Role"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Lease(role, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
