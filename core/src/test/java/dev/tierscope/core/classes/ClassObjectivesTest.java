package dev.tierscope.core.classes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Objectives are validated when configured, so that a bad value stops start-up. */
class ClassObjectivesTest {

  private static final Duration MS_800 = Duration.ofMillis(800);
  private static final Duration S_3 = Duration.ofSeconds(3);

  @Test
  void rejectsNonPositiveTtftThreshold() {
    assertThatThrownBy(() -> new ClassObjectives(Duration.ZERO, 0.95, 0.005, S_3, 0.95, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttftThreshold must be a positive duration, was PT0S");
    assertThatThrownBy(
            () -> new ClassObjectives(Duration.ofMillis(-1), 0.95, 0.005, S_3, 0.95, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttftThreshold must be a positive duration, was PT-0.001S");
    assertThatThrownBy(() -> new ClassObjectives(null, 0.95, 0.005, S_3, 0.95, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttftThreshold must be a positive duration, was null");
  }

  @Test
  void rejectsNonPositiveToolchainThreshold() {
    assertThatThrownBy(() -> new ClassObjectives(MS_800, 0.95, 0.005, Duration.ZERO, 0.95, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("toolchainThreshold must be a positive duration, was PT0S");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 1.0, -0.5, 95, Double.NaN})
  void rejectsTargetsOutsideTheOpenUnitInterval(double target) {
    assertThatThrownBy(() -> new ClassObjectives(MS_800, target, 0.005, S_3, 0.95, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttftTarget must lie in (0, 1), was " + target);
    assertThatThrownBy(() -> new ClassObjectives(MS_800, 0.95, 0.005, S_3, target, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("toolchainTarget must lie in (0, 1), was " + target);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.001, 1.001, 5, Double.NaN})
  void rejectsRatesOutsideTheClosedUnitInterval(double rate) {
    assertThatThrownBy(() -> new ClassObjectives(MS_800, 0.95, rate, S_3, 0.95, 0.02))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInterruptionRate must lie in [0, 1], was " + rate);
    assertThatThrownBy(() -> new ClassObjectives(MS_800, 0.95, 0.005, S_3, 0.95, rate))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFallbackRatio must lie in [0, 1], was " + rate);
  }

  @Test
  void acceptsRatesAtTheEdgesOfTheUnitInterval() {
    ClassObjectives o = new ClassObjectives(MS_800, 0.999, 0.0, S_3, 0.001, 1.0);

    assertThat(o.maxInterruptionRate()).isZero();
    assertThat(o.maxFallbackRatio()).isEqualTo(1.0);
  }

  @Test
  void subMicrosecondThresholdIsTruncatedToWholeMicroseconds() {
    ClassObjectives o =
        new ClassObjectives(Duration.ofNanos(1_500_999), 0.95, 0.005, S_3, 0.95, 0.02);

    assertThat(o.ttftThresholdMicros()).isEqualTo(1_500);
  }
}
