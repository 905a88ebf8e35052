package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Load shapes scale the rate as their names say, in the formula and in generated traffic. */
class LoadShapeTest {

  private static final Duration DAY = Duration.ofHours(24);

  private static double at(LoadShape shape, double fraction, Duration period) {
    return shape.multiplier(Duration.ofNanos((long) (fraction * period.toNanos())), period);
  }

  @Test
  void multipliersAtNamedPoints() {
    assertThat(at(LoadShape.STEADY, 0.37, DAY)).isEqualTo(1.0);
    assertThat(at(LoadShape.DAILY_CYCLE, 14 / 24.0, DAY)).isCloseTo(1.0, within(1e-9));
    assertThat(at(LoadShape.DAILY_CYCLE, 2 / 24.0, DAY)).isCloseTo(0.3, within(1e-9));
    assertThat(at(LoadShape.DAILY_CYCLE, 8 / 24.0, DAY)).isCloseTo(0.65, within(1e-9));
    Duration month = LoadShape.MONTHLY_PEAK.defaultPeriod();
    assertThat(month).isEqualTo(Duration.ofDays(30));
    assertThat(at(LoadShape.MONTHLY_PEAK, 10 / 30.0, month)).isEqualTo(1.0);
    assertThat(at(LoadShape.MONTHLY_PEAK, 27.5 / 30.0, month)).isCloseTo(2.0, within(1e-9));
    assertThat(at(LoadShape.MONTHLY_PEAK, 29 / 30.0, month)).isEqualTo(3.0);
    Duration hour = LoadShape.INCIDENT_SPIKE.defaultPeriod();
    assertThat(at(LoadShape.INCIDENT_SPIKE, 0.4, hour)).isEqualTo(1.0);
    assertThat(at(LoadShape.INCIDENT_SPIKE, 0.5, hour)).isCloseTo(5.0, within(1e-9));
    assertThat(at(LoadShape.INCIDENT_SPIKE, 0.55, hour)).isCloseTo(3.0, within(1e-9));
    // The profile repeats with its period.
    assertThat(at(LoadShape.DAILY_CYCLE, 1 + 14 / 24.0, DAY)).isCloseTo(1.0, within(1e-9));
    for (LoadShape s : LoadShape.values()) {
      for (int i = 0; i < 1000; i++) {
        assertThat(at(s, i / 1000.0, s.defaultPeriod())).isBetween(0.0, s.peak() + 1e-9);
      }
    }
  }

  /** Requests that started in {@code [fromFraction, toFraction)} of the period. */
  private static long count(CollectingSink sink, Duration period, double from, double to) {
    long start = Simulation.epochMicros(SimulationTest.START.instant());
    return sink.requests.stream()
        .mapToLong(r -> r.clientStartMicros() - start)
        .filter(o -> o >= from * period.toNanos() / 1000 && o < to * period.toNanos() / 1000)
        .count();
  }

  private static CollectingSink run(LoadShape shape, Duration period, double multiplier) {
    CollectingSink sink = new CollectingSink();
    Simulation.run(
        SimulationConfig.builder()
            .seed(99)
            .requestsPerSecond(10)
            .rateMultiplier(multiplier)
            .loadShape(shape)
            .loadPeriod(period)
            .duration(period)
            .speed(0)
            .build(),
        SimulationTest.START,
        sink);
    return sink;
  }

  @Test
  void steadyRateTimesMultiplier() {
    Duration tenMinutes = Duration.ofMinutes(10);
    long once = run(LoadShape.STEADY, tenMinutes, 1).requests.size();
    long twice = run(LoadShape.STEADY, tenMinutes, 2).requests.size();
    assertThat((double) once).isCloseTo(6000, within(6000 * 0.05));
    assertThat((double) twice).isCloseTo(12000, within(12000 * 0.05));
  }

  @Test
  void dailyCyclePeaksInTheAfternoonAndTroughsAtNight() {
    // A day compressed into 24 minutes: each minute is an hour.
    Duration period = Duration.ofMinutes(24);
    CollectingSink sink = run(LoadShape.DAILY_CYCLE, period, 1);
    long afternoon = count(sink, period, 13.5 / 24, 14.5 / 24);
    long night = count(sink, period, 1.5 / 24, 2.5 / 24);
    assertThat((double) afternoon).isCloseTo(600, within(600 * 0.12));
    assertThat((double) afternoon / night).isBetween(2.6, 4.4); // 1.0 / 0.3 = 3.33
    assertThat((double) sink.requests.size())
        .isCloseTo(0.65 * 10 * 24 * 60, within(0.65 * 14400 * 0.05));
  }

  @Test
  void monthlyPeakTriplesTheLastDays() {
    Duration period = Duration.ofMinutes(30); // a day per minute
    CollectingSink sink = run(LoadShape.MONTHLY_PEAK, period, 1);
    long ordinary = count(sink, period, 5 / 30.0, 7 / 30.0);
    long monthEnd = count(sink, period, 28 / 30.0, 30 / 30.0);
    assertThat((double) monthEnd / ordinary).isBetween(2.6, 3.4);
  }

  @Test
  void incidentSpikeJumpsFivefoldThenDecays() {
    Duration period = Duration.ofMinutes(20);
    CollectingSink sink = run(LoadShape.INCIDENT_SPIKE, period, 1);
    long before = count(sink, period, 0.40, 0.45);
    long spike = count(sink, period, 0.50, 0.51);
    long after = count(sink, period, 0.90, 0.95);
    // Mean multiplier over [0.50, 0.51] is about 4.7; well after the spike it is back near 1.
    assertThat((double) spike / (before / 5.0)).isBetween(3.8, 5.6);
    assertThat((double) after / before).isBetween(0.8, 1.25);
  }
}
