package dev.tierscope.api.prometheus;

import dev.tierscope.api.web.Params;
import dev.tierscope.core.store.TenantScope;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/metrics}: the SLIs for Prometheus to scrape, in the Prometheus text format or
 * OpenMetrics as the scraper's {@code Accept} header asks (Prometheus's own exposition library
 * writes both). Apart from {@code /actuator/prometheus}, which holds the api's own process metrics.
 *
 * <p>It shows the caller's tenants only ({@link Params#tenantScope}): those the scrape names, else
 * every tenant of its token (all of them for a token of any tenant, and without authentication).
 * With authentication on, Prometheus scrapes with a {@code read} token ({@code authorization} with
 * {@code credentials_file} in its scrape configuration).
 */
@RestController
@RequestMapping("/api/v1")
public class PrometheusController {

  private final SloExporter exporter;
  private final Params params;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Clock clock;

  PrometheusController(SloExporter exporter, Params params, Clock clock) {
    this.exporter = exporter;
    this.params = params;
    this.clock = clock;
  }

  @Operation(
      summary =
          "SLI counters, latency histograms and burn-rate gauges of every class in the Prometheus"
              + " text format or OpenMetrics (by Accept header), for Prometheus to scrape")
  @GetMapping("/metrics")
  ResponseEntity<byte[]> metrics(
      @Parameter(
              description =
                  "Only these tenants (repeatable; or X-Scope-OrgID), each one of the caller's."
                      + " Default: every tenant of the caller (every tenant with data for a token"
                      + " of any tenant, and without authentication)")
          @RequestParam(value = "tenant", required = false)
          List<String> tenants,
      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept)
      throws IOException {
    TenantScope scope = params.tenantScope(tenants);
    MetricSnapshots snapshot = exporter.snapshot(scope, clock.instant());
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (!writer.isAvailable() || writer == formats.getPrometheusProtobufWriter()) {
      // classic histograms only: the text formats carry all of it
      writer = formats.getPrometheusTextFormatWriter();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
    writer.write(out, snapshot);
    return ResponseEntity.ok()
        .header(HttpHeaders.CONTENT_TYPE, writer.getContentType())
        .body(out.toByteArray());
  }
}
