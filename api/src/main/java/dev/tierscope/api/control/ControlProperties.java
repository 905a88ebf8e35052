package dev.tierscope.api.control;

import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.control.ControlConfig;
import dev.tierscope.core.control.Step;
import dev.tierscope.core.control.TierHelp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.control.*}: the admission and degradation policy and how its signals are
 * delivered. Every value has a default; the policy's defaults are {@link
 * ControlConfig#defaults(TrafficClasses)}.
 *
 * @param enabled whether this instance takes part in the control leader election (the signals are
 *     served by every instance either way)
 * @param interval time between two evaluations by the leader
 * @param republish how often every signal is published to the topic again though unchanged
 * @param giveWay classes that give way first, in order (default: deferred_batch,
 *     standard_interactive)
 * @param steps per class, its steps in order, e.g. {@code degrade-1,degrade-2,defer,shed}
 * @param tiers per tier ({@code edge}, {@code mesh}, {@code model}), what acting helps with
 * @param triggerBurnRate fast burn rate at which a class is in distress
 * @param recoverBurnRate fast burn rate at or below which it is healthy again
 * @param modelQueueShare model queue share of slow requests' TTFT that names the model tier
 * @param minRequests requests a class needs in the fast window to be judged
 * @param dwell least time before a restriction is relaxed one step
 * @param loadTolerance how far above its rate before the first step a tenant's rate may be for a
 *     restriction to relax
 * @param fastWindow the recent window the decisions read
 * @param loadWindow the window the current request rate is measured over
 * @param baselineWindow the window the rate before a restriction is measured over
 * @param signalTtl validity of a signal after its evaluation (gateways fail open after it)
 * @param kafka the compacted topic
 * @param stream the server-sent event stream
 * @param webhooks delivery of decision changes to the alert pushes' webhooks
 */
@ConfigurationProperties("tierscope.control")
public record ControlProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("1s") Duration interval,
    @DefaultValue("10s") Duration republish,
    List<String> giveWay,
    Map<String, List<String>> steps,
    Map<String, TierSettings> tiers,
    @DefaultValue("1.0") double triggerBurnRate,
    @DefaultValue("0.5") double recoverBurnRate,
    @DefaultValue("0.25") double modelQueueShare,
    @DefaultValue("30") long minRequests,
    @DefaultValue("60s") Duration dwell,
    @DefaultValue("0.25") double loadTolerance,
    @DefaultValue("30s") Duration fastWindow,
    @DefaultValue("30s") Duration loadWindow,
    @DefaultValue("5m") Duration baselineWindow,
    @DefaultValue("60s") Duration signalTtl,
    @DefaultValue Kafka kafka,
    @DefaultValue Stream stream,
    @DefaultValue Webhooks webhooks) {

  /**
   * What acting helps with a slowdown in one tier.
   *
   * @param admission whether making other classes give way helps
   * @param maxDegradation highest degradation level that helps, 0 to 3
   */
  public record TierSettings(Boolean admission, Integer maxDegradation) {}

  /**
   * The compacted topic {@code tierscope.control.v1}.
   *
   * @param enabled whether the leader publishes the signals to it (and creates it at start)
   * @param topic its name
   * @param partitions partitions when this instance creates it
   * @param replicationFactor replication when this instance creates it
   * @param sendTimeout how long a publish may take before the round counts as failed
   */
  public record Kafka(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("tierscope.control.v1") String topic,
      @DefaultValue("1") int partitions,
      @DefaultValue("1") short replicationFactor,
      @DefaultValue("5s") Duration sendTimeout) {}

  /**
   * {@code GET /api/v1/control/stream}.
   *
   * @param poll how often each instance reads the stored signals for changes
   * @param heartbeat how often every signal is sent again though unchanged (refreshing its expiry)
   */
  public record Stream(
      @DefaultValue("250ms") Duration poll, @DefaultValue("10s") Duration heartbeat) {}

  /**
   * Decision changes to the webhooks of {@code tierscope.api.alerting.webhooks}.
   *
   * @param enabled whether the leader delivers them (when webhooks are configured)
   */
  public record Webhooks(@DefaultValue("true") boolean enabled) {}

  public ControlProperties {
    require(positive(interval), "tierscope.control.interval must be positive");
    require(positive(republish), "tierscope.control.republish must be positive");
    require(kafka.partitions() >= 1, "tierscope.control.kafka.partitions must be at least 1");
    require(
        kafka.replicationFactor() >= 1,
        "tierscope.control.kafka.replication-factor must be at least 1");
    require(positive(kafka.sendTimeout()), "tierscope.control.kafka.send-timeout must be positive");
    require(positive(stream.poll()), "tierscope.control.stream.poll must be positive");
    require(positive(stream.heartbeat()), "tierscope.control.stream.heartbeat must be positive");
    require(
        signalTtl.compareTo(republish) > 0 && signalTtl.compareTo(stream.heartbeat()) > 0,
        "tierscope.control.signal-ttl ("
            + signalTtl
            + ") must exceed tierscope.control.republish and tierscope.control.stream.heartbeat,"
            + " or signals expire between two deliveries");
  }

  /**
   * The policy settings: the defaults for {@code classes} with every property set here applied.
   *
   * @throws IllegalStateException naming the property, for a value that makes no sense
   */
  public ControlConfig toConfig(TrafficClasses classes) {
    ControlConfig d = ControlConfig.defaults(classes);
    Map<String, List<Step>> s = new LinkedHashMap<>(d.steps());
    if (steps != null) {
      steps.forEach(
          (cls, list) -> {
            List<Step> parsed = new ArrayList<>();
            for (String step : list) {
              try {
                parsed.add(Step.parse(step));
              } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                    "tierscope.control.steps." + cls + ": " + e.getMessage(), e);
              }
            }
            s.put(cls, parsed);
          });
    }
    Map<Tier, TierHelp> t = new EnumMap<>(d.tiers());
    if (tiers != null) {
      tiers.forEach(
          (name, settings) -> {
            Tier tier = tier(name);
            TierHelp base = t.get(tier);
            try {
              t.put(
                  tier,
                  new TierHelp(
                      settings.admission() == null ? base.admission() : settings.admission(),
                      settings.maxDegradation() == null
                          ? base.maxDegradation()
                          : settings.maxDegradation()));
            } catch (IllegalArgumentException e) {
              throw new IllegalStateException(
                  "tierscope.control.tiers." + name + ": " + e.getMessage(), e);
            }
          });
    }
    try {
      return new ControlConfig(
              giveWay == null ? d.giveWay() : giveWay,
              s,
              t,
              triggerBurnRate,
              recoverBurnRate,
              modelQueueShare,
              minRequests,
              dwell,
              loadTolerance,
              fastWindow,
              loadWindow,
              baselineWindow,
              signalTtl)
          .validate(classes);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("tierscope.control: " + e.getMessage(), e);
    }
  }

  private static Tier tier(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Tier t : Tier.values()) {
      if (t.id().equals(n)) {
        return t;
      }
    }
    throw new IllegalStateException(
        "tierscope.control.tiers." + name + ": unknown tier (edge, mesh, model)");
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }
}
