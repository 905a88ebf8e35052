package dev.tierscope.server.surge;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that runs {@code speed} times as fast as the wall clock from an origin: the simulated
 * time of a compressed run, given to the api (so that the control leader's "now" is the simulated
 * now) and to the gateway's advisor (so that signals expire in simulated time).
 */
public final class ScaledClock extends Clock {

  private final Instant origin;
  private final long originNanos;
  private final double speed;

  /** A clock reading {@code origin} now and running {@code speed} times as fast from here. */
  public ScaledClock(Instant origin, double speed) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be positive, was " + speed);
    }
    this.origin = origin;
    this.originNanos = System.nanoTime();
    this.speed = speed;
  }

  @Override
  public Instant instant() {
    long elapsed = System.nanoTime() - originNanos;
    return origin.plusNanos(Math.round(elapsed * speed));
  }

  /** Simulated seconds per wall-clock second. */
  public double speed() {
    return speed;
  }

  /** Wall-clock nanoseconds until this clock reads {@code t} (negative when it did already). */
  long wallNanosUntil(Instant t) {
    return Math.round(java.time.Duration.between(instant(), t).toNanos() / speed);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
