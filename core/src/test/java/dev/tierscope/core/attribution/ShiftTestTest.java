package dev.tierscope.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.attribution.Sample.Moments;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The statistics under the attribution: quantiles, Welch z, Poisson bootstrap, the decision. */
class ShiftTestTest {

  private final ShiftTest test = new ShiftTest(AttributionSettings.defaults());

  @Test
  void inverseNormalMatchesTheTables() {
    assertThat(ShiftTest.inverseNormal(0.5)).isCloseTo(0, within(1e-9));
    assertThat(ShiftTest.inverseNormal(0.95)).isCloseTo(1.644854, within(1e-6));
    assertThat(ShiftTest.inverseNormal(0.975)).isCloseTo(1.959964, within(1e-6));
    assertThat(ShiftTest.inverseNormal(1 - 0.005 / 3)).isCloseTo(2.935199, within(1e-5));
    assertThat(ShiftTest.inverseNormal(0.001)).isCloseTo(-3.090232, within(1e-6));
  }

  @Test
  void criticalValuesFollowTheSettings() {
    assertThat(test.regressionZ()).isCloseTo(1.644854, within(1e-6));
    assertThat(test.tierZ(3)).isCloseTo(2.935199, within(1e-5));
    assertThat(test.tierZ(1)).isCloseTo(2.575829, within(1e-5));
  }

  @Test
  void welchZUsesBothVariancesAndSampleSizes() {
    // means 110 and 100, population variances 400 and 100, 101 values each:
    // se = sqrt(400/100 + 100/100) = sqrt(5)
    Moments cur = new Moments(101, 110, 400);
    Moments base = new Moments(101, 100, 100);
    assertThat(ShiftTest.z(cur, base)).isCloseTo(10 / Math.sqrt(5), within(1e-12));
    assertThat(ShiftTest.z(base, cur)).isCloseTo(-10 / Math.sqrt(5), within(1e-12));
    assertThat(ShiftTest.z(new Moments(1, 5, 0), base)).isZero();
  }

  @Test
  void poissonDrawsHaveTheirMeanAndVariance() {
    SplittableRandom r = new SplittableRandom(1);
    for (long lambda : new long[] {1, 7, 29, 30, 400}) {
      double sum = 0;
      double squares = 0;
      int n = 200_000;
      for (int i = 0; i < n; i++) {
        long k = Sample.poisson(r, lambda);
        sum += k;
        squares += (double) k * k;
      }
      double mean = sum / n;
      double variance = squares / n - mean * mean;
      assertThat(mean).as("mean of Poisson(%d)", lambda).isCloseTo(lambda, within(lambda * 0.02));
      assertThat(variance)
          .as("variance of Poisson(%d)", lambda)
          .isCloseTo(lambda, within(lambda * 0.05));
    }
  }

  @Test
  void sampleMomentsAreTheHistogramsAndResamplesVaryAroundThem() {
    Histogram h = new Histogram(2);
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < 5_000; i++) {
      h.recordValue(1_000 + r.nextLong(100_000));
    }
    Sample s = Sample.of(h);
    assertThat(s.moments().n()).isEqualTo(5_000);
    assertThat(s.moments().mean()).isCloseTo(h.getMean(), within(1e-6));
    assertThat(Math.sqrt(s.moments().variance()))
        .isCloseTo(h.getStdDeviation(), within(h.getStdDeviation() * 1e-6));
    double se = h.getStdDeviation() / Math.sqrt(5_000);
    double sum = 0;
    double squares = 0;
    int n = 2_000;
    for (int i = 0; i < n; i++) {
      double m = s.resample(r).mean();
      sum += m;
      squares += m * m;
    }
    double mean = sum / n;
    double sd = Math.sqrt(squares / n - mean * mean);
    assertThat(mean).isCloseTo(h.getMean(), within(se * 0.2));
    assertThat(sd)
        .as("bootstrap spread of the mean is its standard error")
        .isCloseTo(se, within(se * 0.1));
    assertThat(Sample.of(null).moments()).isEqualTo(Moments.EMPTY);
  }

  @Test
  void aTierIsFoundOnlyWhenItsGrowthIsSignificantAndTtftRegressed() {
    Moments base = new Moments(1_000, 100_000, 1e8); // sd 10 ms
    Moments[] baseTiers = {base, base, base};
    // edge +5 ms (z ~ 11), mesh +1 ms (z ~ 2.2: not significant at 0.5%), model unchanged
    Moments[] cur = {new Moments(1_000, 105_000, 1e8), new Moments(1_000, 101_000, 1e8), base};
    ShiftTest.Result r =
        test.decide(
            new Moments(1_000, 306_000, 3e8), new Moments(1_000, 300_000, 3e8), cur, baseTiers);
    assertThat(r.regressed()).isTrue();
    assertThat(r.verdict()).isEqualTo(Verdict.EDGE);
    assertThat(r.found()).containsExactly(true, false, false);
    assertThat(r.shares()).containsExactly(1.0, 0.0, 0.0);

    ShiftTest.Result flat =
        test.decide(
            new Moments(1_000, 300_500, 3e8), new Moments(1_000, 300_000, 3e8), cur, baseTiers);
    assertThat(flat.regressed()).isFalse();
    assertThat(flat.verdict()).isEqualTo(Verdict.NONE);
    assertThat(flat.named(Tier.EDGE)).isFalse();
    assertThat(flat.shares()).containsOnly(0.0);
  }

  @Test
  void aTierWithTooFewValuesIsNotTestedAndTheOthersShareTheAlpha() {
    Moments base = new Moments(1_000, 100_000, 1e8);
    Moments few = new Moments(50, 500_000, 1e8);
    ShiftTest.Result r =
        test.decide(
            new Moments(1_000, 330_000, 3e8),
            new Moments(1_000, 300_000, 3e8),
            new Moments[] {few, new Moments(1_000, 130_000, 1e8), base},
            new Moments[] {base, base, base});
    assertThat(r.tested()).containsExactly(false, true, true);
    assertThat(r.verdict()).isEqualTo(Verdict.MESH);
    assertThat(r.growth()[0]).isZero();
  }
}
