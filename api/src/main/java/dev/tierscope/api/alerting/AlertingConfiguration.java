package dev.tierscope.api.alerting;

import dev.tierscope.api.attribution.AttributionProperties;
import dev.tierscope.core.alerting.AlertEvaluator;
import dev.tierscope.core.alerting.AlertStateStore;
import dev.tierscope.core.alerting.AlertTracker;
import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.LeaderLoop;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.TotalsReader;
import dev.tierscope.store.PostgresAlertStateStore;
import dev.tierscope.store.PostgresLeaderElection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pushed burn-rate alerts: the per-class policies every budget reader shares, and, when
 * Alertmanager URLs or webhooks are configured, a {@link LeaderLoop} that runs an {@link
 * AlertingRound} every {@code interval} in whichever api instance holds the PostgreSQL leader lock
 * of the role {@code alerting}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AlertingProperties.class)
public class AlertingConfiguration {

  /** The leader role of the alert pushes. */
  public static final String ROLE = "alerting";

  private static final Logger log = LoggerFactory.getLogger(AlertingConfiguration.class);

  @Bean
  AlertPolicies alertPolicies(
      AlertingProperties properties, TrafficClasses classes, BudgetCalculator budgets) {
    return new AlertPolicies(properties, classes, budgets.period());
  }

  @Bean
  LeaderElection leaderElection(DataSource dataSource, AlertingProperties properties) {
    String name = properties.instanceName();
    if (name.isBlank()) {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "unknown-host";
      }
      name = host + "-" + ProcessHandle.current().pid();
    }
    return new PostgresLeaderElection(dataSource, name);
  }

  @Bean
  AlertStateStore alertStateStore(DataSource dataSource) {
    return new PostgresAlertStateStore(dataSource);
  }

  @Bean
  AlertingLoop alertingLoop(
      AlertingProperties properties,
      AlertPolicies policies,
      TrafficClasses classes,
      BudgetCalculator budgets,
      AttributionCalculator attribution,
      AttributionProperties attributionProperties,
      TotalsReader totals,
      AlertStateStore store,
      LeaderElection election,
      JsonMapper json,
      MeterRegistry registry,
      Clock clock) {
    Receivers receivers =
        new Receivers(
            properties,
            new AlertPayloads(properties),
            json,
            (receiver, ok) ->
                Counter.builder("tierscope.api.alerting.sent")
                    .description("alert requests sent, by receiver kind and outcome")
                    .tag("receiver", receiver)
                    .tag("outcome", ok ? "ok" : "failed")
                    .register(registry)
                    .increment());
    AlertEvaluator evaluator =
        new AlertEvaluator(
            classes, policies::of, budgets, attribution, attributionProperties.baseline());
    AlertTracker tracker =
        new AlertTracker(
            new AlertTracker.Settings(properties.resendInterval(), properties.resolvedRetention()));
    Duration longest =
        properties.interval().compareTo(properties.resendInterval()) > 0
            ? properties.interval()
            : properties.resendInterval();
    AlertingRound round =
        new AlertingRound(
            totals, evaluator, tracker, store, receivers, clock, longest.multipliedBy(4));
    return new AlertingLoop(properties, election, round, registry);
  }

  /** Starts and stops the leader loop with the application context. */
  static final class AlertingLoop implements SmartLifecycle {

    private final AlertingProperties properties;
    private final LeaderElection election;
    private final AlertingRound round;
    private final AtomicInteger firing = new AtomicInteger();
    private final AtomicInteger leading = new AtomicInteger();
    private final MeterRegistry registry;
    private LeaderLoop loop;

    AlertingLoop(
        AlertingProperties properties,
        LeaderElection election,
        AlertingRound round,
        MeterRegistry registry) {
      this.properties = properties;
      this.election = election;
      this.round = round;
      this.registry = registry;
      Gauge.builder("tierscope.api.alerting.firing", firing, AtomicInteger::get)
          .description("pushed alerts firing after the last round this instance led")
          .register(registry);
      Gauge.builder("tierscope.api.alerting.leader", leading, AtomicInteger::get)
          .description("1 while this instance leads the alert pushes")
          .register(registry);
    }

    @Override
    public synchronized void start() {
      if (!properties.hasReceivers()) {
        log.info(
            "alert pushes off: no tierscope.api.alerting.alertmanager.urls or webhooks configured");
        return;
      }
      loop =
          new LeaderLoop(
                  election,
                  ROLE,
                  properties.interval(),
                  lease -> run(lease),
                  new LeaderLoop.Listener() {
                    @Override
                    public void notLeading(String role) {
                      leading.set(0);
                      rounds("not_leading");
                    }

                    @Override
                    public void ran(Lease lease) {
                      leading.set(1);
                      rounds("led");
                    }

                    @Override
                    public void failed(String role, Exception e) {
                      rounds("failed");
                      log.warn("alerting round failed: {}", e.toString());
                    }
                  })
              .start();
      log.info(
          "alert pushes on: Alertmanager {}, {} webhooks, a round every {} in the leader of '{}'",
          properties.alertmanager().urls(),
          properties.webhooks().size(),
          properties.interval(),
          ROLE);
    }

    private void run(Lease lease) {
      AlertingRound.Result r = round.run(lease);
      firing.set(r.firing());
    }

    private void rounds(String outcome) {
      Counter.builder("tierscope.api.alerting.rounds")
          .description("alerting ticks, by outcome: led, not_leading, failed")
          .tag("outcome", outcome)
          .register(registry)
          .increment();
    }

    @Override
    public synchronized void stop() {
      if (loop != null) {
        loop.close();
        loop = null;
      }
      leading.set(0);
    }

    @Override
    public synchronized boolean isRunning() {
      return loop != null;
    }
  }
}
