package dev.tierscope.core.control;

import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admission and degradation policy: from a tenant's readings over the last seconds and its
 * state, the next state and a {@link ControlSignal} per class. Pure apart from the injected clock:
 * the same state, inputs and time give the same result.
 *
 * <p>How it decides. The classes are put on one <em>ladder</em>: the steps of the classes that give
 * way, first class first ({@code deferred_batch}: defer, shed; then {@code standard_interactive}:
 * degrade 1, 2, 3, defer, shed), then the steps of the protected classes ({@code
 * interactive_premium}: degrade 1, 2, 3). Rung {@code r} puts the first {@code r} steps in effect.
 * A class is <em>in distress</em> when its TTFT burn rate over the fast window reaches {@code
 * triggerBurnRate} (with at least {@code minRequests} requests), and <em>healthy</em> at or below
 * {@code recoverBurnRate} (hysteresis). The cause is the model tier when the model queue is at
 * least {@code modelQueueShare} of the slow requests' TTFT, otherwise the attribution verdict. When
 * the model queue is the cause, the burn rate of the freshest single raw window counts too ({@link
 * ClassReading#peakBurnRate}).
 *
 * <ul>
 *   <li><b>Shared tier (model).</b> The most protected class in distress by a tier where admission
 *       helps is the trigger. The ladder climbs to one rung per doubling of its burn rate over the
 *       trigger, and, when the model queue is the cause, at least to the first {@code shed} step: a
 *       FIFO queue delays every class, and only shedding frees the model at once (deferring leaves
 *       the running requests in place). It never climbs past the trigger's own steps, so a
 *       protected class gives way only once every class before it has given way completely. While
 *       the trigger stays in distress on requests that all started after the last step, the ladder
 *       climbs one more rung.
 *   <li><b>Relaxing.</b> One rung down when every class is healthy on requests that started after
 *       the last change, the rung has held for {@code dwell}, and the tenant's request rate is back
 *       within {@code loadTolerance} of its rate before the first step (a surge that is still on
 *       would saturate the tier again at once).
 *   <li><b>Own tier (mesh).</b> A class in distress by a tier where only degradation helps degrades
 *       itself one level at a time, up to the tier's helpful level; it relaxes one level per dwell
 *       once healthy.
 *   <li><b>Nothing helps (edge).</b> The signal stays {@code admit}, and its reason says so.
 * </ul>
 *
 * <pre>{@code
 * ControlPolicy policy = new ControlPolicy(ControlConfig.defaults(classes), classes, clock);
 * ControlPolicy.Evaluation e = policy.evaluate(previousState, inputs);
 * store.save(lease, e.state(), e.signals());
 * }</pre>
 */
public final class ControlPolicy {

  /** The result of one evaluation of one tenant. */
  public record Evaluation(
      ControlState state, List<ControlSignal> signals, List<Transition> transitions) {

    public Evaluation {
      signals = List.copyOf(signals);
      transitions = List.copyOf(transitions);
    }

    /** The signal of {@code trafficClass}, or null. */
    public ControlSignal signal(String trafficClass) {
      for (ControlSignal s : signals) {
        if (s.trafficClass().equals(trafficClass)) {
          return s;
        }
      }
      return null;
    }
  }

  /** One step of the ladder. */
  record Rung(String trafficClass, Step step) {}

  private final ControlConfig config;
  private final TrafficClasses classes;
  private final Clock clock;
  private final List<Rung> ladder;
  private final List<String> order;

  public ControlPolicy(ControlConfig config, TrafficClasses classes, Clock clock) {
    this.config = config.validate(classes);
    this.classes = classes;
    this.clock = clock;
    List<String> o = new ArrayList<>(config.giveWay());
    List<TrafficClass> all = new ArrayList<>(classes.all());
    Collections.reverse(all);
    for (TrafficClass c : all) {
      if (!o.contains(c.name())) {
        o.add(c.name());
      }
    }
    this.order = List.copyOf(o);
    List<Rung> l = new ArrayList<>();
    for (String c : order) {
      for (Step s : config.stepsOf(c)) {
        l.add(new Rung(c, s));
      }
    }
    this.ladder = List.copyOf(l);
  }

  public ControlConfig config() {
    return config;
  }

  /** The ladder's steps in order, as {@code class:step}, for documentation and tests. */
  public List<String> ladder() {
    return ladder.stream().map(r -> r.trafficClass() + ":" + r.step()).toList();
  }

  /**
   * One evaluation of a tenant at the clock's instant.
   *
   * @param previous the tenant's state after the last evaluation (or {@link ControlState#initial})
   * @param inputs what the tenant's windows say now
   */
  public Evaluation evaluate(ControlState previous, ControlInputs inputs) {
    Instant now = clock.instant();
    if (!previous.tenant().equals(inputs.tenant())) {
      throw new IllegalArgumentException(
          "state of " + previous.tenant() + " evaluated with inputs of " + inputs.tenant());
    }
    int prevRung = Math.min(previous.rung(), ladder.size());
    int rung = prevRung;
    Instant rungSince = previous.rungSince();
    String trigger = previous.triggerClass();
    Tier cause = previous.cause();
    double baseline = previous.baselineRequestsPerSecond();
    String hold = null;

    // ---- the shared ladder (a tier where admission helps)
    String distressed = null;
    Tier distressCause = null;
    for (int i = order.size() - 1; i >= 0; i--) {
      ClassReading r = inputs.reading(order.get(i));
      Tier c = cause(r);
      if (inSharedDistress(r) && c != null && config.help(c).admission()) {
        distressed = r.trafficClass();
        distressCause = c;
        break;
      }
    }
    if (distressed != null) {
      ClassReading r = inputs.reading(distressed);
      int cap = capOf(distressed);
      boolean fresh = prevRung == 0 || !inputs.windowFrom().isBefore(rungSince);
      int want = prevRung;
      if (fresh) {
        int bySeverity =
            1 + (int) Math.floor(log2(Math.max(1, sharedBurn(r) / config.triggerBurnRate())));
        want = Math.max(prevRung == 0 ? bySeverity : prevRung + 1, bySeverity);
        if (ControlInputsReader.modelQueue(r, config)) {
          int shed = firstShed(cap);
          if (shed > 0) {
            want = Math.max(want, shed);
          }
        }
      } else {
        hold = "waiting for requests that started after the last step";
      }
      int target = Math.max(prevRung, Math.min(cap, want));
      if (target > prevRung) {
        if (prevRung == 0) {
          baseline = inputs.baselineRequestsPerSecond();
        }
        rung = target;
        rungSince = now;
      } else if (fresh && prevRung >= cap) {
        hold = "the ladder is at the last step " + distressed + " may take";
      }
      trigger = distressed;
      cause = distressCause;
    } else if (prevRung > 0) {
      hold = relaxBlocker(inputs, rungSince, now, baseline);
      if (hold == null) {
        rung = prevRung - 1;
        rungSince = now;
      }
    }
    if (rung == 0) {
      trigger = "";
      cause = null;
      baseline = 0;
    }

    // ---- each class: its own degradation (a tier where only degradation helps) and decision
    Map<String, ControlState.ClassState> states = new LinkedHashMap<>();
    List<ControlSignal> signals = new ArrayList<>();
    List<Transition> transitions = new ArrayList<>();
    Evidence base =
        new Evidence(
            rung,
            ladder.size(),
            trigger,
            cause,
            inputs.windowFrom(),
            inputs.windowTo(),
            rung == 0 ? null : inputs.reading(trigger),
            null,
            inputs.requestsPerSecond(),
            baseline);
    for (TrafficClass tc : classes.all()) {
      String c = tc.name();
      ClassReading r = inputs.reading(c);
      ControlState.ClassState prev = previous.classes().get(c);
      int meshLevel = prev == null ? 0 : prev.meshLevel();
      Instant meshSince = prev == null ? now : prev.meshSince();
      Tier own = cause(r);
      TierHelp help = own == null ? TierHelp.NONE : config.help(own);
      List<String> reasons = new ArrayList<>();
      if (inDistress(r) && own != null && !help.admission() && help.maxDegradation() > 0) {
        int max = Math.min(help.maxDegradation(), maxDegradeLevel(c));
        boolean fresh = meshLevel == 0 || !inputs.windowFrom().isBefore(meshSince);
        if (fresh && meshLevel < max) {
          meshLevel++;
          meshSince = now;
        }
      } else if (meshLevel > 0
          && healthy(r)
          && !inputs.windowFrom().isBefore(meshSince)
          && !now.isBefore(meshSince.plus(config.dwell()))) {
        meshLevel--;
        meshSince = now;
      }

      Step step = stepAt(c, rung);
      Action action;
      int level;
      if (step != null && step.action().refuses()) {
        action = step.action();
        level = 0;
      } else {
        level = Math.max(step == null ? 0 : step.level(), meshLevel);
        action = level > 0 ? Action.DEGRADE : Action.ADMIT;
      }
      reasons.add(reason(c, r, step, meshLevel, own, rung, trigger, inputs));
      if (hold != null && rung > 0 && c.equals(firstRestricted(rung))) {
        reasons.add("held at rung " + rung + ": " + hold);
      }
      String decision = ControlSignal.decision(action, level);
      String before = prev == null ? "admit" : ControlSignal.decision(prev.action(), prev.level());
      Instant since = prev != null && before.equals(decision) ? prev.since() : now;
      if (prev == null && decision.equals("admit")) {
        since = now;
      }
      if (!before.equals(decision)) {
        transitions.add(new Transition(inputs.tenant(), c, before, decision, now, reasons.get(0)));
      }
      states.put(c, new ControlState.ClassState(meshLevel, meshSince, action, level, since));
      signals.add(
          new ControlSignal(
              inputs.tenant(),
              c,
              action,
              level,
              since,
              now,
              now.plus(config.signalTtl()),
              reasons,
              new Evidence(
                  base.rung(),
                  base.rungs(),
                  base.triggerClass(),
                  base.cause(),
                  base.windowFrom(),
                  base.windowTo(),
                  base.trigger(),
                  r == null || r.requests() == 0 ? null : r,
                  base.requestsPerSecond(),
                  base.baselineRequestsPerSecond())));
    }
    ControlState next =
        new ControlState(inputs.tenant(), rung, rungSince, trigger, cause, baseline, states);
    return new Evaluation(next, signals, transitions);
  }

  /** Why the ladder may not come down a rung now, or null when it may. */
  private String relaxBlocker(
      ControlInputs inputs, Instant rungSince, Instant now, double baseline) {
    for (String c : order) {
      ClassReading r = inputs.reading(c);
      if (!healthy(r)) {
        return c + " is not healthy yet (burn rate " + fmt(r.burnRate()) + ")";
      }
    }
    if (inputs.windowFrom().isBefore(rungSince)) {
      return "waiting for requests that started after the last step";
    }
    Duration held = Duration.between(rungSince, now);
    if (held.compareTo(config.dwell()) < 0) {
      return "dwell: held " + held.toSeconds() + " s of " + config.dwell().toSeconds() + " s";
    }
    double limit = baseline * (1 + config.loadTolerance());
    if (baseline > 0 && inputs.requestsPerSecond() > limit) {
      return String.format(
          Locale.ROOT,
          "the request rate %.1f/s is still above %.1f/s (%.1f/s before the first step + %.0f%%)",
          inputs.requestsPerSecond(),
          limit,
          baseline,
          100 * config.loadTolerance());
    }
    return null;
  }

  private String reason(
      String c,
      ClassReading r,
      Step step,
      int meshLevel,
      Tier own,
      int rung,
      String trigger,
      ControlInputs inputs) {
    if (step != null) {
      ClassReading t = inputs.reading(trigger);
      String why =
          t == null
              ? trigger + " was in distress"
              : trigger
                  + " TTFT p95 "
                  + ms(t.ttftP95Micros())
                  + " vs "
                  + ms(t.thresholdMicros())
                  + " threshold (burn rate "
                  + fmt(t.burnRate())
                  + ", model queue "
                  + pct(t.queueShare())
                  + " of slow requests' TTFT)";
      String who = c.equals(trigger) ? c + " gives way itself" : c + " gives way";
      return step + ": " + who + " (rung " + rung + " of " + ladder.size() + "): " + why;
    }
    if (meshLevel > 0) {
      return "degrade-"
          + meshLevel
          + ": "
          + c
          + " is slow in the "
          + (own == null ? "mesh" : own.id())
          + " tier, where only degradation helps";
    }
    if (rung > 0) {
      return "admit: "
          + String.join(", ", restrictedAt(rung))
          + " give"
          + (restrictedAt(rung).size() == 1 ? "s" : "")
          + " way (rung "
          + rung
          + " of "
          + ladder.size()
          + "), raised for "
          + trigger;
    }
    if (inDistress(r) && (own == null || !config.help(own).helps())) {
      return "admit: "
          + c
          + " is slow ("
          + (own == null ? "no tier named" : "verdict " + own.id())
          + "), where neither admission nor degradation helps";
    }
    if (r == null || r.ttftCount() < config.minRequests()) {
      return "admit: too few requests to judge ("
          + (r == null ? 0 : r.ttftCount())
          + " < "
          + config.minRequests()
          + ")";
    }
    return "admit: TTFT p95 " + ms(r.ttftP95Micros()) + " vs " + ms(r.thresholdMicros());
  }

  private Tier cause(ClassReading r) {
    if (r == null) {
      return null;
    }
    if (ControlInputsReader.modelQueue(r, config)) {
      return Tier.MODEL;
    }
    return r.verdict();
  }

  /**
   * Distress for a tier that all classes share: when the model queue is the cause, the freshest
   * single window counts too (a queue building up shows there first; the evidence is unambiguous).
   * Otherwise as {@link #inDistress}.
   */
  private boolean inSharedDistress(ClassReading r) {
    return r != null
        && r.ttftCount() >= config.minRequests()
        && sharedBurn(r) >= config.triggerBurnRate();
  }

  private double sharedBurn(ClassReading r) {
    return ControlInputsReader.modelQueue(r, config)
        ? Math.max(r.burnRate(), r.peakBurnRate())
        : r.burnRate();
  }

  private boolean inDistress(ClassReading r) {
    return r != null
        && r.ttftCount() >= config.minRequests()
        && r.burnRate() >= config.triggerBurnRate();
  }

  private boolean healthy(ClassReading r) {
    return r == null
        || r.ttftCount() < config.minRequests()
        || r.burnRate() <= config.recoverBurnRate();
  }

  /** The last rung a class may climb to for its own distress: through its own steps. */
  private int capOf(String c) {
    int cap = 0;
    for (String o : order) {
      cap += config.stepsOf(o).size();
      if (o.equals(c)) {
        break;
      }
    }
    return cap;
  }

  /** 1-based rung of the first shed step at or below {@code cap}, 0 when none. */
  private int firstShed(int cap) {
    for (int i = 0; i < cap && i < ladder.size(); i++) {
      if (ladder.get(i).step().action() == Action.SHED) {
        return i + 1;
      }
    }
    return 0;
  }

  /** The step of {@code c} in effect at {@code rung}, or null. */
  private Step stepAt(String c, int rung) {
    Step s = null;
    for (int i = 0; i < rung && i < ladder.size(); i++) {
      if (ladder.get(i).trafficClass().equals(c)) {
        s = ladder.get(i).step();
      }
    }
    return s;
  }

  /** The classes with a step in effect at {@code rung}, in ladder order. */
  private List<String> restrictedAt(int rung) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < rung && i < ladder.size(); i++) {
      if (!out.contains(ladder.get(i).trafficClass())) {
        out.add(ladder.get(i).trafficClass());
      }
    }
    return out;
  }

  /** The class of the ladder's first rung at or below {@code rung}. */
  private String firstRestricted(int rung) {
    return rung > 0 ? ladder.get(0).trafficClass() : null;
  }

  private int maxDegradeLevel(String c) {
    int max = 0;
    for (Step s : config.stepsOf(c)) {
      if (s.action() == Action.DEGRADE) {
        max = Math.max(max, s.level());
      }
    }
    return max;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static String ms(long micros) {
    return Math.round(micros / 1000.0) + " ms";
  }

  private static String pct(double share) {
    return Math.round(share * 100) + "%";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
