package dev.tierscope.core.alerting;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state machine of pushed alerts: from what fired before and what fires now, the next states
 * and what to send. Pure (no clock, no I/O): the alerting round feeds it and sends.
 *
 * <p>Per alert: an alert that starts to fire opens an episode ({@code startsAt} now) and is pushed
 * at once; while it fires it is pushed again every {@code resendInterval} (Alertmanager forgets an
 * alert that is not re-sent before its {@code endsAt}); when it stops firing it is resolved ({@code
 * endsAt} now), pushed at once, and pushed again every {@code resendInterval} until {@code
 * resolvedRetention} has passed, then forgotten. Webhooks get each status of an episode once (the
 * resolution only if they got the firing). A push that failed is simply due again at the next
 * round, because {@code pushedAt} only moves on success.
 *
 * <pre>{@code
 * AlertTracker.Round r = tracker.next(store.load(), evaluations, clock.instant());
 * alertmanager.push(r.toPush());  // then mark them pushed
 * }</pre>
 */
public final class AlertTracker {

  /**
   * @param resendInterval how often a firing (or recently resolved) alert is pushed again
   * @param resolvedRetention how long a resolved alert is still pushed before it is forgotten
   */
  public record Settings(Duration resendInterval, Duration resolvedRetention) {
    public Settings {
      if (resendInterval.isNegative() || resendInterval.isZero()) {
        throw new IllegalArgumentException("resendInterval must be positive");
      }
      if (resolvedRetention.isNegative()) {
        throw new IllegalArgumentException("resolvedRetention must not be negative");
      }
    }
  }

  /**
   * What one round found for one alert.
   *
   * @param key the alert
   * @param firing whether it fires now
   * @param annotations current annotations; they replace the remembered ones of the same name
   */
  public record Evaluation(AlertKey key, boolean firing, Map<String, String> annotations) {
    public Evaluation {
      annotations = new LinkedHashMap<>(annotations);
    }
  }

  /**
   * The outcome of one round.
   *
   * @param states every alert to remember after the round, as if no send succeeded
   * @param removed alerts to forget
   * @param toPush alerts due at Alertmanager
   * @param toWebhook alerts whose status the webhooks have not got yet
   */
  public record Round(
      Map<AlertKey, AlertState> states,
      Set<AlertKey> removed,
      List<AlertState> toPush,
      List<AlertState> toWebhook) {}

  private final Settings settings;

  public AlertTracker(Settings settings) {
    this.settings = settings;
  }

  /**
   * @param previous the remembered alerts
   * @param evaluations what fires now; a remembered alert without an evaluation (its class was
   *     removed, say) counts as not firing
   * @param now the round's instant
   */
  public Round next(
      Map<AlertKey, AlertState> previous, Collection<Evaluation> evaluations, Instant now) {
    Map<AlertKey, Evaluation> byKey = new LinkedHashMap<>();
    for (Evaluation e : evaluations) {
      byKey.put(e.key(), e);
    }
    Set<AlertKey> keys = new LinkedHashSet<>(previous.keySet());
    keys.addAll(byKey.keySet());

    Map<AlertKey, AlertState> states = new LinkedHashMap<>();
    Set<AlertKey> removed = new LinkedHashSet<>();
    List<AlertState> toPush = new ArrayList<>();
    List<AlertState> toWebhook = new ArrayList<>();
    for (AlertKey key : keys) {
      AlertState before = previous.get(key);
      Evaluation e = byKey.get(key);
      boolean firing = e != null && e.firing();
      Map<String, String> annotations = new LinkedHashMap<>();
      if (before != null) {
        annotations.putAll(before.annotations());
      }
      if (e != null) {
        annotations.putAll(e.annotations());
      }
      AlertState after;
      if (firing) {
        if (before == null || before.status() == AlertStatus.RESOLVED) {
          after = new AlertState(key, AlertStatus.FIRING, now, null, null, null, annotations);
        } else {
          after =
              new AlertState(
                  key,
                  AlertStatus.FIRING,
                  before.startsAt(),
                  null,
                  before.pushedAt(),
                  before.webhookStatus(),
                  annotations);
        }
      } else if (before == null) {
        continue; // never fired: nothing to remember
      } else if (before.status() == AlertStatus.FIRING) {
        after =
            new AlertState(
                key,
                AlertStatus.RESOLVED,
                before.startsAt(),
                now,
                before.pushedAt(),
                before.webhookStatus(),
                annotations);
      } else if (!now.isBefore(before.endsAt().plus(settings.resolvedRetention()))) {
        removed.add(key);
        continue;
      } else {
        after =
            new AlertState(
                key,
                AlertStatus.RESOLVED,
                before.startsAt(),
                before.endsAt(),
                before.pushedAt(),
                before.webhookStatus(),
                annotations);
      }
      states.put(key, after);
      if (pushDue(after, now)) {
        toPush.add(after);
      }
      if (webhookDue(after)) {
        toWebhook.add(after);
      }
    }
    return new Round(states, removed, toPush, toWebhook);
  }

  private boolean pushDue(AlertState s, Instant now) {
    return s.pushedAt() == null
        || s.pushedAt().isBefore(s.since())
        || !now.isBefore(s.pushedAt().plus(settings.resendInterval()));
  }

  private static boolean webhookDue(AlertState s) {
    return s.status() == AlertStatus.FIRING
        ? s.webhookStatus() != AlertStatus.FIRING
        : s.webhookStatus() == AlertStatus.FIRING;
  }
}
