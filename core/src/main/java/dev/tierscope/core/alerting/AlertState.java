package dev.tierscope.core.alerting;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the alerting leader remembers of one alert between rounds (kept in the store, so that a new
 * leader carries on where the old one stopped).
 *
 * @param key the alert
 * @param status firing or resolved
 * @param startsAt when the current episode began to fire
 * @param endsAt when it resolved; null while firing
 * @param pushedAt when it was last pushed to Alertmanager successfully; null when never in this
 *     episode
 * @param webhookStatus the status last delivered to every webhook in this episode; null when none
 * @param annotations the latest annotations (burn rates, windows, attribution verdict), in order
 *     <p>Instants are kept to the microsecond, the precision of the store: an alert reads back
 *     exactly as it was written, and its episode (named after {@code startsAt}) keeps its name.
 */
public record AlertState(
    AlertKey key,
    AlertStatus status,
    Instant startsAt,
    Instant endsAt,
    Instant pushedAt,
    AlertStatus webhookStatus,
    Map<String, String> annotations) {

  public AlertState {
    if (key == null || status == null || startsAt == null) {
      throw new IllegalArgumentException("key, status and startsAt are required");
    }
    if ((status == AlertStatus.RESOLVED) != (endsAt != null)) {
      throw new IllegalArgumentException("endsAt is set exactly when the alert is resolved");
    }
    annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    startsAt = micros(startsAt);
    endsAt = micros(endsAt);
    pushedAt = micros(pushedAt);
  }

  private static Instant micros(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
  }

  /** This state, pushed to Alertmanager at {@code at}. */
  public AlertState pushed(Instant at) {
    return new AlertState(key, status, startsAt, endsAt, at, webhookStatus, annotations);
  }

  /** This state, its status delivered to every webhook. */
  public AlertState delivered() {
    return new AlertState(key, status, startsAt, endsAt, pushedAt, status, annotations);
  }

  /** When the current status began: {@code startsAt} while firing, {@code endsAt} once resolved. */
  public Instant since() {
    return status == AlertStatus.FIRING ? startsAt : endsAt;
  }
}
