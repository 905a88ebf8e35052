package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.alerting.AlertKey;
import dev.tierscope.core.alerting.AlertState;
import dev.tierscope.core.alerting.AlertStateStore;
import dev.tierscope.core.alerting.AlertStatus;
import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.store.FencedException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link AlertStateStore} must show with the {@link LeaderElection} of its
 * deployment: what a leader saves, a successor loads unchanged; a save under a lease that is no
 * longer the newest term is refused and writes nothing.
 *
 * <p>Every case uses a role and a tenant of its own; {@link #load()} filters on the tenant.
 */
public abstract class AlertStateStoreContract {

  /** A new instance of the deployment's election. */
  protected abstract LeaderElection newElection();

  /** The deployment's state store. */
  protected abstract AlertStateStore store();

  protected String role;
  protected String tenant;

  @BeforeEach
  void unique() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    role = "alerting-" + id;
    tenant = "tenant-" + id;
  }

  private Map<AlertKey, AlertState> load() {
    Map<AlertKey, AlertState> out = new LinkedHashMap<>();
    store()
        .load()
        .forEach(
            (k, v) -> {
              if (k.tenant().equals(tenant)) {
                out.put(k, v);
              }
            });
    return out;
  }

  private AlertState firing(Sli sli, String severity) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "premium " + sli.id() + " burns");
    annotations.put("burn_rates", "1h=15.20 5m=20.31");
    annotations.put("attribution_verdict", "model");
    return new AlertState(
        new AlertKey(tenant, "interactive_premium", sli, severity),
        AlertStatus.FIRING,
        Instant.parse("2026-11-30T10:00:00Z"),
        null,
        Instant.parse("2026-11-30T10:00:15Z"),
        AlertStatus.FIRING,
        annotations);
  }

  @Test
  void whatALeaderSavesItsSuccessorLoads() {
    LeaderElection a = newElection();
    LeaderElection b = newElection();
    Lease lease = a.tryLead(role).orElseThrow();
    AlertState page = firing(Sli.TTFT, "page");
    AlertState resolved =
        new AlertState(
            new AlertKey(tenant, "standard_interactive", Sli.RETRIEVAL_FALLBACK, "ticket"),
            AlertStatus.RESOLVED,
            Instant.parse("2026-11-30T09:00:00Z"),
            Instant.parse("2026-11-30T09:30:00Z"),
            null,
            null,
            Map.of());
    store().save(lease, List.of(page, resolved), List.of());
    a.close();

    Lease next = b.tryLead(role).orElseThrow();
    Map<AlertKey, AlertState> loaded = load();
    assertThat(loaded).containsOnlyKeys(page.key(), resolved.key());
    assertThat(loaded.get(page.key())).isEqualTo(page);
    assertThat(loaded.get(page.key()).annotations().keySet())
        .as("annotation order is kept")
        .containsExactly("summary", "burn_rates", "attribution_verdict");
    assertThat(loaded.get(resolved.key())).isEqualTo(resolved);

    // the successor replaces and forgets
    AlertState pushedAgain = page.pushed(Instant.parse("2026-11-30T10:01:15Z"));
    store().save(next, List.of(pushedAgain), List.of(resolved.key()));
    assertThat(load()).containsExactly(Map.entry(page.key(), pushedAgain));
    b.close();
  }

  @Test
  void aSaveUnderAStaleLeaseIsRefusedAndWritesNothing() {
    LeaderElection a = newElection();
    LeaderElection b = newElection();
    Lease old = a.tryLead(role).orElseThrow();
    AlertState page = firing(Sli.TTFT, "page");
    store().save(old, List.of(page), List.of());
    a.stepDown(role);
    Lease next = b.tryLead(role).orElseThrow();

    AlertState zombie = firing(Sli.STREAM_INTERRUPTION, "ticket");
    assertThatThrownBy(() -> store().save(old, List.of(zombie), List.of(page.key())))
        .isInstanceOf(FencedException.class);
    assertThat(load()).containsExactly(Map.entry(page.key(), page));

    store().save(next, List.of(zombie), List.of());
    assertThat(load()).containsOnlyKeys(page.key(), zombie.key());
    a.close();
    b.close();
  }

  @Test
  void anAlertReadsBackExactlyWhateverThePrecisionOfItsInstants() {
    LeaderElection a = newElection();
    Lease lease = a.tryLead(role).orElseThrow();
    Instant nanos = Instant.parse("2026-11-30T10:00:00.123456789Z");
    AlertState s =
        new AlertState(
            new AlertKey(tenant, "interactive_premium", Sli.TTFT, "page"),
            AlertStatus.RESOLVED,
            nanos,
            nanos.plusNanos(1_001),
            nanos.plusSeconds(1),
            AlertStatus.RESOLVED,
            Map.of("summary", "x"));
    assertThat(s.startsAt()).isEqualTo(Instant.parse("2026-11-30T10:00:00.123456Z"));
    store().save(lease, List.of(s), List.of());
    assertThat(load()).containsExactly(Map.entry(s.key(), s));
    a.close();
  }

  @Test
  void aLeaseOfARoleNobodyLedIsRefused() {
    assertThatThrownBy(
            () -> store().save(new Lease(role, 1), List.of(firing(Sli.TTFT, "page")), List.of()))
        .isInstanceOf(FencedException.class);
    assertThat(load()).isEmpty();
  }
}
