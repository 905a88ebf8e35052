package dev.tierscope.api.prometheus;

import dev.tierscope.api.web.BadParameterException;
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
 */
@RestController
@RequestMapping("/api/v1")
public class PrometheusController {

  private final SloExporter exporter;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Clock clock;

  PrometheusController(SloExporter exporter, Clock clock) {
    this.exporter = exporter;
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
                  "Only these tenants (repeatable). Default: every tenant with data; once"
                      + " authentication exists, the caller's tenants")
          @RequestParam(value = "tenant", required = false)
          List<String> tenants,
      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept)
      throws IOException {
    TenantScope scope;
    try {
      scope = tenants == null || tenants.isEmpty() ? TenantScope.ALL : TenantScope.only(tenants);
    } catch (IllegalArgumentException e) {
      throw new BadParameterException("tenant", e.getMessage());
    }
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
