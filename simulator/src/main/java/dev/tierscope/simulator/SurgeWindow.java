package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A surge: for a while the request rate is multiplied and the classes come in their own mix (the
 * proof against a surge uses 3x for 5 minutes, 20% premium, 40% standard, 40% batch).
 *
 * @param start offset from the run's start at which it begins
 * @param duration how long it lasts
 * @param multiplier the request rate during the surge, as a multiple of the rate without it
 * @param classMix share of each class during the surge (weights, normalised); the run's mix when
 *     empty
 */
public record SurgeWindow(
    Duration start, Duration duration, double multiplier, Map<TrafficClass, Double> classMix) {

  private static final Pattern SPEC =
      Pattern.compile("\\s*([^+*\\s]+)\\s*\\+\\s*([^*\\s]+)\\s*\\*\\s*([0-9.]+)\\s*");

  public SurgeWindow {
    if (start == null
        || duration == null
        || start.isNegative()
        || duration.isNegative()
        || duration.isZero()) {
      throw new IllegalArgumentException("a surge needs a start >= 0 and a duration > 0");
    }
    if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("surge multiplier must be positive, was " + multiplier);
    }
    if (classMix == null || classMix.isEmpty()) {
      classMix = Map.of();
    } else {
      double total = 0;
      for (double w : classMix.values()) {
        if (!(w >= 0)) {
          throw new IllegalArgumentException("surge mix weights must be >= 0: " + classMix);
        }
        total += w;
      }
      if (!(total > 0)) {
        throw new IllegalArgumentException("surge mix needs a positive weight: " + classMix);
      }
      EnumMap<TrafficClass, Double> m = new EnumMap<>(TrafficClass.class);
      for (Map.Entry<TrafficClass, Double> e : classMix.entrySet()) {
        if (e.getValue() > 0) {
          m.put(e.getKey(), e.getValue() / total);
        }
      }
      classMix = Collections.unmodifiableMap(m);
    }
  }

  /** The surge of the proof: 20% interactive premium, 40% standard, 40% batch. */
  public static Map<TrafficClass, Double> proofMix() {
    Map<TrafficClass, Double> m = new EnumMap<>(TrafficClass.class);
    m.put(TrafficClass.INTERACTIVE_PREMIUM, 0.2);
    m.put(TrafficClass.STANDARD_INTERACTIVE, 0.4);
    m.put(TrafficClass.DEFERRED_BATCH, 0.4);
    return m;
  }

  /** Parses {@code START+DURATION*MULTIPLIER}, e.g. {@code 5m+5m*3}; the mix is set apart. */
  public static SurgeWindow parse(String spec, Map<TrafficClass, Double> mix) {
    Matcher m = SPEC.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid surge '" + spec + "': use START+DURATION*MULTIPLIER, e.g. 5m+5m*3");
    }
    return new SurgeWindow(
        Durations.parse(m.group(1)),
        Durations.parse(m.group(2)),
        Double.parseDouble(m.group(3)),
        mix);
  }

  /** Offset at which it ends. */
  public Duration end() {
    return start.plus(duration);
  }

  /** Whether it is on at {@code offset} (start inclusive, end exclusive). */
  public boolean activeAt(Duration offset) {
    return offset.compareTo(start) >= 0 && offset.compareTo(end()) < 0;
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder(
            Durations.format(start)
                + "+"
                + Durations.format(duration)
                + String.format(Locale.ROOT, "*%s", multiplier));
    if (!classMix.isEmpty()) {
      s.append(" mix ");
      String sep = "";
      for (Map.Entry<TrafficClass, Double> e : classMix.entrySet()) {
        s.append(sep).append(e.getKey().value()).append('=');
        s.append(String.format(Locale.ROOT, "%.2f", e.getValue()));
        sep = ",";
      }
    }
    return s.toString();
  }
}
