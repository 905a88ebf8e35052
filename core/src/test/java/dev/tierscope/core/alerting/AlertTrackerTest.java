package dev.tierscope.core.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.slo.Sli;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pushed alerts' state machine, round by round on a fake timeline. */
class AlertTrackerTest {

  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final AlertKey PAGE =
      new AlertKey("default", "interactive_premium", Sli.TTFT, "page");
  private static final AlertKey TICKET =
      new AlertKey("default", "interactive_premium", Sli.TTFT, "ticket");

  private final AlertTracker tracker =
      new AlertTracker(new AlertTracker.Settings(Duration.ofMinutes(1), Duration.ofMinutes(15)));

  private Map<AlertKey, AlertState> states = new LinkedHashMap<>();

  /** One round at T0 + seconds; pushes and webhook deliveries succeed when asked. */
  private AlertTracker.Round round(
      long seconds, boolean pageFiring, boolean pushOk, boolean webhookOk) {
    Instant now = T0.plusSeconds(seconds);
    AlertTracker.Round r =
        tracker.next(
            states,
            List.of(
                new AlertTracker.Evaluation(PAGE, pageFiring, Map.of("burn_rates", "x" + seconds)),
                new AlertTracker.Evaluation(TICKET, false, Map.of())),
            now);
    Map<AlertKey, AlertState> next = new LinkedHashMap<>(r.states());
    if (pushOk) {
      r.toPush().forEach(s -> next.put(s.key(), next.get(s.key()).pushed(now)));
    }
    if (webhookOk) {
      r.toWebhook().forEach(s -> next.put(s.key(), next.get(s.key()).delivered()));
    }
    r.removed().forEach(next::remove);
    states = next;
    return r;
  }

  @Test
  void anAlertThatNeverFiredIsNotRemembered() {
    AlertTracker.Round r = round(0, false, true, true);
    assertThat(r.states()).isEmpty();
    assertThat(r.toPush()).isEmpty();
    assertThat(r.toWebhook()).isEmpty();
  }

  @Test
  void firingIsPushedAtOnceThenEveryResendIntervalAndResolvedIsPushedAtOnce() {
    AlertTracker.Round first = round(0, true, true, true);
    assertThat(first.toPush())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(AlertStatus.FIRING);
              assertThat(s.startsAt()).isEqualTo(T0);
              assertThat(s.annotations()).containsEntry("burn_rates", "x0");
            });
    assertThat(first.toWebhook()).hasSize(1);

    assertThat(round(15, true, true, true).toPush()).as("not due yet").isEmpty();
    assertThat(round(45, true, true, true).toWebhook()).as("webhooks get a status once").isEmpty();
    AlertTracker.Round resend = round(60, true, true, true);
    assertThat(resend.toPush())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.startsAt()).as("the same episode").isEqualTo(T0);
              assertThat(s.annotations()).containsEntry("burn_rates", "x60");
            });

    AlertTracker.Round resolved = round(75, false, true, true);
    assertThat(resolved.toPush())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(AlertStatus.RESOLVED);
              assertThat(s.endsAt()).isEqualTo(T0.plusSeconds(75));
              assertThat(s.startsAt()).isEqualTo(T0);
            });
    assertThat(resolved.toWebhook())
        .singleElement()
        .satisfies(s -> assertThat(s.status()).isEqualTo(AlertStatus.RESOLVED));
    assertThat(round(90, false, true, true).toPush()).isEmpty();
    assertThat(round(135, false, true, true).toPush()).as("resolution re-sent").hasSize(1);
  }

  @Test
  void aResolvedAlertIsForgottenAfterItsRetention() {
    round(0, true, true, true);
    round(10, false, true, true);
    assertThat(round(10 + 14 * 60, false, true, true).removed()).isEmpty();
    AlertTracker.Round gone = round(10 + 15 * 60, false, true, true);
    assertThat(gone.removed()).containsExactly(PAGE);
    assertThat(gone.toPush()).isEmpty();
    assertThat(states).isEmpty();
  }

  @Test
  void aFailedPushIsDueAgainAtTheNextRound() {
    assertThat(round(0, true, false, true).toPush()).hasSize(1);
    assertThat(round(15, true, false, true).toPush()).hasSize(1);
    assertThat(round(30, true, true, true).toPush()).hasSize(1);
    assertThat(round(45, true, true, true).toPush()).isEmpty();
    // a failed webhook delivery too
    AlertTracker.Round resolved = round(50, false, true, false);
    assertThat(resolved.toWebhook()).hasSize(1);
    assertThat(round(55, false, true, true).toWebhook()).hasSize(1);
    assertThat(round(60, false, true, true).toWebhook()).isEmpty();
  }

  @Test
  void firingAgainAfterResolvingOpensANewEpisode() {
    round(0, true, true, true);
    round(30, false, true, true);
    AlertTracker.Round again = round(40, true, true, true);
    assertThat(again.toPush())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.startsAt()).isEqualTo(T0.plusSeconds(40));
              assertThat(s.endsAt()).isNull();
            });
    assertThat(again.toWebhook()).hasSize(1);
  }

  @Test
  void aRememberedAlertWithoutEvaluationResolves() {
    round(0, true, true, true);
    AlertTracker.Round r = tracker.next(states, List.of(), T0.plusSeconds(20));
    assertThat(r.states().get(PAGE).status()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(r.toPush()).hasSize(1);
  }

  @Test
  void webhooksGetNoResolutionOfAFiringTheyNeverGot() {
    round(0, true, true, false);
    AlertTracker.Round r = round(10, false, true, true);
    assertThat(r.toWebhook()).isEmpty();
    assertThat(r.toPush()).hasSize(1);
  }
}
