package dev.tierscope.api.alerting;

import dev.tierscope.core.alerting.AlertEvaluator;
import dev.tierscope.core.alerting.AlertKey;
import dev.tierscope.core.alerting.AlertState;
import dev.tierscope.core.alerting.AlertStateStore;
import dev.tierscope.core.alerting.AlertStatus;
import dev.tierscope.core.alerting.AlertTracker;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.TenantScope;
import dev.tierscope.core.store.TotalsReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One alerting round of the leading instance: load the remembered alerts, evaluate every tenant's
 * classes, let the tracker decide, push to Alertmanager and the webhooks, save what changed under
 * the lease (refused if a newer leader exists). Sending comes before saving: a leader that dies in
 * between makes its successor send again (Alertmanager deduplicates, webhook bodies carry the
 * episode id), never forget to send.
 */
final class AlertingRound {

  /** What a round did. */
  record Result(int firing, int pushed, int delivered) {}

  private final TotalsReader totals;
  private final AlertEvaluator evaluator;
  private final AlertTracker tracker;
  private final AlertStateStore store;
  private final Receivers receivers;
  private final Clock clock;
  private final Duration firingValidity;

  /**
   * @param firingValidity how long Alertmanager keeps a firing alert that is not pushed again
   */
  AlertingRound(
      TotalsReader totals,
      AlertEvaluator evaluator,
      AlertTracker tracker,
      AlertStateStore store,
      Receivers receivers,
      Clock clock,
      Duration firingValidity) {
    this.totals = totals;
    this.evaluator = evaluator;
    this.tracker = tracker;
    this.store = store;
    this.receivers = receivers;
    this.clock = clock;
    this.firingValidity = firingValidity;
  }

  Result run(Lease lease) {
    Instant now = clock.instant();
    Map<AlertKey, AlertState> before = store.load();
    List<String> tenants = totals.tenants(TenantScope.ALL);
    AlertTracker.Round round = tracker.next(before, evaluator.evaluate(tenants, now), now);

    Map<AlertKey, AlertState> after = new LinkedHashMap<>(round.states());
    int pushed = 0;
    if (!round.toPush().isEmpty() && receivers.push(round.toPush(), now.plus(firingValidity))) {
      for (AlertState s : round.toPush()) {
        after.computeIfPresent(s.key(), (k, v) -> v.pushed(now));
      }
      pushed = round.toPush().size();
    }
    int delivered = 0;
    for (AlertState s : round.toWebhook()) {
      if (!receivers.hasWebhooks() || receivers.deliver(s, now)) {
        after.computeIfPresent(s.key(), (k, v) -> v.delivered());
        delivered++;
      }
    }
    List<AlertState> changed = new ArrayList<>();
    after.forEach(
        (k, v) -> {
          if (!v.equals(before.get(k))) {
            changed.add(v);
          }
        });
    if (!changed.isEmpty() || !round.removed().isEmpty()) {
      store.save(lease, changed, round.removed());
    }
    int firing =
        (int) after.values().stream().filter(s -> s.status() == AlertStatus.FIRING).count();
    return new Result(firing, pushed, delivered);
  }
}
