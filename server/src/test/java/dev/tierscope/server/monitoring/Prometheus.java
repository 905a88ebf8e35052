package dev.tierscope.server.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tierscope.testsupport.monitoring.PrometheusServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads answers of a real Prometheus's HTTP API. */
final class Prometheus {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One series of an instant vector: its labels and value. */
  record Sample(Map<String, String> labels, double value) {}

  private final PrometheusServer server;

  Prometheus(PrometheusServer server) {
    this.server = server;
  }

  /** An instant query that must succeed; its vector (a scalar as one sample without labels). */
  List<Sample> query(String promql) throws Exception {
    HttpResponse<String> r = server.query(promql);
    JsonNode j = JSON.readTree(r.body());
    assertThat(r.statusCode()).as(promql + " -> " + r.body()).isEqualTo(200);
    assertThat(j.path("status").asText()).as(promql + " -> " + r.body()).isEqualTo("success");
    JsonNode data = j.path("data");
    List<Sample> out = new ArrayList<>();
    if ("scalar".equals(data.path("resultType").asText())) {
      out.add(new Sample(Map.of(), value(data.path("result").get(1).asText())));
      return out;
    }
    for (JsonNode s : data.path("result")) {
      Map<String, String> labels = new LinkedHashMap<>();
      s.path("metric")
          .fields()
          .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.add(new Sample(labels, value(s.path("value").get(1).asText())));
    }
    return out;
  }

  /** A range query that must succeed; the number of series it returned. */
  int queryRange(String promql, long startSeconds, long endSeconds, String step) throws Exception {
    HttpResponse<String> r = server.queryRange(promql, startSeconds, endSeconds, step);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.path("status").asText()).as(promql + " -> " + r.body()).isEqualTo("success");
    return j.path("data").path("result").size();
  }

  private static double value(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }
}
