package dev.tierscope.core.control;

import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admission policy's settings: which classes give way first and how far, what helps with which
 * tier, and the thresholds, dwell and windows of the decisions. See {@link ControlPolicy}.
 *
 * @param giveWay classes that give way to the others, the first first; every other class is
 *     protected and takes its own steps only once every class before it has taken all of its
 * @param steps per class, the steps it takes in order (a class without steps never gives way)
 * @param tiers per tier, what acting helps with a slowdown caused there
 * @param triggerBurnRate a class is in distress when its TTFT burn rate over the fast window (the
 *     fraction of requests over the threshold divided by the error budget, 1 - target) is at least
 *     this
 * @param recoverBurnRate a class is healthy again when its fast burn rate is at most this (below
 *     {@code triggerBurnRate}: the hysteresis)
 * @param modelQueueShare the model queue's share of slow requests' TTFT from which the model tier's
 *     queue is the cause (every class waits in it, so the classes that give way first are shed)
 * @param minRequests requests a class needs in the fast window before it is judged at all
 * @param dwell least time a restriction stays before it is relaxed one step
 * @param loadTolerance a restriction is relaxed only while the tenant's request rate is at most (1
 *     + this) times its rate before the first restriction (the surge is over)
 * @param fastWindow length of the window of recent requests the decisions read
 * @param loadWindow length of the window the current request rate is measured over, ending where
 *     the fast window starts (its requests are complete)
 * @param baselineWindow length of the window the rate before a restriction is measured over
 * @param signalTtl how long a signal is valid after its evaluation; a gateway that hears nothing
 *     newer admits again (fail open)
 */
public record ControlConfig(
    List<String> giveWay,
    Map<String, List<Step>> steps,
    Map<Tier, TierHelp> tiers,
    double triggerBurnRate,
    double recoverBurnRate,
    double modelQueueShare,
    long minRequests,
    Duration dwell,
    double loadTolerance,
    Duration fastWindow,
    Duration loadWindow,
    Duration baselineWindow,
    Duration signalTtl) {

  /** The default give-way order: deferred batch, then standard interactive. */
  public static final List<String> DEFAULT_GIVE_WAY =
      List.of("deferred_batch", "standard_interactive");

  public ControlConfig {
    giveWay = List.copyOf(giveWay);
    if (giveWay.stream().distinct().count() != giveWay.size()) {
      throw new IllegalArgumentException("give-way order names a class twice: " + giveWay);
    }
    Map<String, List<Step>> s = new LinkedHashMap<>();
    steps.forEach((k, v) -> s.put(k, checkSteps(k, v)));
    steps = Collections.unmodifiableMap(s);
    EnumMap<Tier, TierHelp> t = new EnumMap<>(Tier.class);
    for (Tier tier : Tier.values()) {
      t.put(tier, tiers.getOrDefault(tier, TierHelp.NONE));
    }
    tiers = Collections.unmodifiableMap(t);
    require(triggerBurnRate > 0 && Double.isFinite(triggerBurnRate), "trigger burn rate > 0");
    require(
        recoverBurnRate >= 0 && recoverBurnRate < triggerBurnRate,
        "recover burn rate >= 0 and below the trigger burn rate (" + triggerBurnRate + ")");
    require(modelQueueShare > 0 && modelQueueShare <= 1, "model queue share in (0, 1]");
    require(minRequests >= 1, "min requests >= 1");
    require(positive(dwell), "dwell > 0");
    require(loadTolerance >= 0 && Double.isFinite(loadTolerance), "load tolerance >= 0");
    require(positive(fastWindow), "fast window > 0");
    require(positive(loadWindow), "load window > 0");
    require(positive(baselineWindow), "baseline window > 0");
    require(positive(signalTtl), "signal TTL > 0");
  }

  /**
   * The defaults for {@code classes}: deferred batch gives way first (defer, then shed), then
   * standard interactive (degrade 1 to 3, then defer, then shed); interactive premium degrades only
   * for its own distress once both have given way completely. Degradation helps the model tier
   * (levels 1-3) and the mesh (levels 1-2: retrieval breadth and single-tool plans); admission
   * helps the model tier only; nothing helps the edge. Of the default class names, only those
   * configured take part.
   */
  public static ControlConfig defaults(TrafficClasses classes) {
    Map<String, List<Step>> steps = new LinkedHashMap<>();
    List<String> giveWay = new ArrayList<>();
    for (String name : DEFAULT_GIVE_WAY) {
      if (classes.contains(name)) {
        giveWay.add(name);
      }
    }
    putIfConfigured(classes, steps, "deferred_batch", List.of(Step.defer(), Step.shed()));
    putIfConfigured(
        classes,
        steps,
        "standard_interactive",
        List.of(Step.degrade(1), Step.degrade(2), Step.degrade(3), Step.defer(), Step.shed()));
    putIfConfigured(
        classes,
        steps,
        "interactive_premium",
        List.of(Step.degrade(1), Step.degrade(2), Step.degrade(3)));
    return new ControlConfig(
        giveWay,
        steps,
        defaultTiers(),
        1.0,
        0.5,
        0.25,
        30,
        Duration.ofSeconds(60),
        0.25,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        Duration.ofSeconds(60));
  }

  /** Model: admission and levels 1-3; mesh: levels 1-2; edge: nothing. */
  public static Map<Tier, TierHelp> defaultTiers() {
    Map<Tier, TierHelp> m = new EnumMap<>(Tier.class);
    m.put(Tier.MODEL, new TierHelp(true, 3));
    m.put(Tier.MESH, new TierHelp(false, 2));
    m.put(Tier.EDGE, TierHelp.NONE);
    return m;
  }

  /**
   * Checks the settings against the configured classes (every named class exists).
   *
   * @throws IllegalArgumentException naming the unknown class
   */
  public ControlConfig validate(TrafficClasses classes) {
    for (String c : giveWay) {
      if (!classes.contains(c)) {
        throw new IllegalArgumentException(
            "give-way order names unknown class '" + c + "'; known: " + names(classes));
      }
    }
    for (String c : steps.keySet()) {
      if (!classes.contains(c)) {
        throw new IllegalArgumentException(
            "steps name unknown class '" + c + "'; known: " + names(classes));
      }
    }
    return this;
  }

  /** What helps with a slowdown in {@code tier}. */
  public TierHelp help(Tier tier) {
    return tiers.get(tier);
  }

  /** The steps of {@code trafficClass}, empty when it never gives way. */
  public List<Step> stepsOf(String trafficClass) {
    return steps.getOrDefault(trafficClass, List.of());
  }

  private static List<String> names(TrafficClasses classes) {
    return classes.all().stream().map(TrafficClass::name).toList();
  }

  private static void putIfConfigured(
      TrafficClasses classes, Map<String, List<Step>> steps, String name, List<Step> s) {
    if (classes.contains(name)) {
      steps.put(name, s);
    }
  }

  private static List<Step> checkSteps(String cls, List<Step> steps) {
    List<Step> copy = List.copyOf(steps);
    int lastLevel = 0;
    boolean refused = false;
    for (Step s : copy) {
      if (s.action() == Action.DEGRADE) {
        if (refused || s.level() <= lastLevel) {
          throw new IllegalArgumentException(
              "steps of "
                  + cls
                  + " must get stricter: degradation levels rise and come before defer and shed, were "
                  + copy);
        }
        lastLevel = s.level();
      } else {
        if (s.action() == Action.DEFER && refused) {
          throw new IllegalArgumentException(
              "steps of " + cls + ": defer must come before shed, were " + copy);
        }
        if (copy.indexOf(s) != copy.lastIndexOf(s)) {
          throw new IllegalArgumentException("steps of " + cls + " repeat " + s + ": " + copy);
        }
        refused = refused || s.action() == Action.SHED;
      }
    }
    return copy;
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("control settings: " + what + " required");
    }
  }
}
