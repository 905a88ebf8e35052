package dev.tierscope.boot.management;

import java.util.Map;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Keeps {@code GET /actuator/health} on the application's own port when the actuator endpoints
 * moved to a management port ({@code management.server.port}): load balancers, compose health
 * checks and the quick start's banner keep their URL, while metrics, Prometheus and info are served
 * on the management port only. It answers the overall status alone ({@code {"status":"UP"}}; 503
 * when down), never details.
 *
 * <p>Why a controller: Spring Boot puts health groups on the main port only at single-segment paths
 * ({@code additional-path=server:/healthz}), which would move the URL everyone uses.
 */
@AutoConfiguration(
    afterName =
        "org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
@ConditionalOnBean(HealthEndpoint.class)
@Import(MainPortHealthConfiguration.MainPortHealth.class)
public class MainPortHealthConfiguration {

  /** {@code GET /actuator/health} on the main port: the overall status. */
  @RestController
  static final class MainPortHealth {
    private final HealthEndpoint health;

    MainPortHealth(HealthEndpoint health) {
      this.health = health;
    }

    @GetMapping("/actuator/health")
    ResponseEntity<Map<String, String>> health() {
      Status status = health.health().getStatus();
      return ResponseEntity.status(HttpCodeStatusMapper.DEFAULT.getStatusCode(status))
          .body(Map.of("status", status.getCode()));
    }
  }
}
