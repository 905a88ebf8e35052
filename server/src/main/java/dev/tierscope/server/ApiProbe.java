package dev.tierscope.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the REST API over HTTP, as a user would: the demo's phase reports and the attribution
 * accuracy checks both go through it, so they show exactly what {@code curl} would.
 */
public final class ApiProbe {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String apiUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A probe of the API at {@code apiUrl}, e.g. {@code http://127.0.0.1:8080}. */
  public ApiProbe(String apiUrl) {
    this.apiUrl = apiUrl;
  }

  /**
   * One answer of {@code GET /api/v1/attribution}.
   *
   * @param verdict {@code edge}, {@code mesh}, {@code model}, {@code none} or {@code
   *     insufficient_data}
   * @param confidence the verdict's confidence, 0 to 1
   * @param tiersFound every tier found, largest share first
   * @param shares each tier's share of the growth
   * @param ttftP95Ms TTFT p95 in the range
   * @param ttftP95BaselineMs TTFT p95 in the baseline
   * @param requests requests in the range
   * @param evidence the evidence sentences
   */
  public record Attribution(
      String verdict,
      double confidence,
      List<Found> tiersFound,
      Map<String, Double> shares,
      double ttftP95Ms,
      double ttftP95BaselineMs,
      long requests,
      List<String> evidence) {

    /** The first evidence sentence about a sub-signal, else the first one, else empty. */
    public String firstEvidence() {
      for (String e : evidence) {
        if (!e.contains(": p95 ") && !e.startsWith("detectable:")) {
          return e;
        }
      }
      return evidence.isEmpty() ? "" : evidence.get(0);
    }

    /** The tiers found as {@code edge 0.93 (0.88-0.97)}, or {@code no tier found}. */
    public String tiersText() {
      if (tiersFound.isEmpty()) {
        return "no tier found";
      }
      StringBuilder s = new StringBuilder();
      for (Found f : tiersFound) {
        s.append(s.length() == 0 ? "" : ", ")
            .append(
                String.format(
                    Locale.ROOT,
                    "%s %.2f (%.2f-%.2f)",
                    f.tier(),
                    f.share(),
                    f.shareLow(),
                    f.shareHigh()));
      }
      return s.toString();
    }

    /** Shares as {@code edge 0.91 mesh 0.04 model 0.05}. */
    public String sharesText() {
      StringBuilder s = new StringBuilder();
      shares.forEach(
          (tier, share) ->
              s.append(s.length() == 0 ? "" : " ")
                  .append(String.format(Locale.ROOT, "%s %.2f", tier, share)));
      return s.toString();
    }
  }

  /**
   * One tier found by an attribution.
   *
   * @param tier {@code edge}, {@code mesh} or {@code model}
   * @param share its share of the growth
   * @param shareLow lower end of the share's 95% interval
   * @param shareHigh upper end of the share's 95% interval
   * @param confidence fraction of bootstrap replicates that find it
   */
  public record Found(
      String tier, double share, double shareLow, double shareHigh, double confidence) {}

  /** {@code GET /api/v1/attribution} of {@code [from, to)} against {@code [baselineFrom, to)}. */
  public Attribution attribution(
      String tenant,
      String cls,
      Instant from,
      Instant to,
      Instant baselineFrom,
      Instant baselineTo) {
    JsonNode json =
        get(
            "/api/v1/attribution?class="
                + cls
                + tenantParam(tenant)
                + "&from="
                + from
                + "&to="
                + to
                + "&baselineFrom="
                + baselineFrom
                + "&baselineTo="
                + baselineTo);
    Map<String, Double> shares = new LinkedHashMap<>();
    json.path("shares")
        .fields()
        .forEachRemaining(e -> shares.put(e.getKey(), e.getValue().asDouble()));
    List<String> evidence = new ArrayList<>();
    json.path("evidence").forEach(e -> evidence.add(e.asText()));
    List<Found> found = new ArrayList<>();
    json.path("tiersFound")
        .forEach(
            f ->
                found.add(
                    new Found(
                        f.path("tier").asText(),
                        f.path("share").asDouble(),
                        f.path("shareLow").asDouble(),
                        f.path("shareHigh").asDouble(),
                        f.path("confidence").asDouble())));
    return new Attribution(
        json.path("verdict").asText("none"),
        json.path("confidence").asDouble(),
        found,
        shares,
        json.path("ttft").path("p95MsCurrent").asDouble(),
        json.path("ttft").path("p95MsBaseline").asDouble(),
        json.path("requests").asLong(),
        evidence);
  }

  /** {@code GET /api/v1/slo}: requests of a class in {@code [from, to)}. */
  public long requests(String tenant, String cls, Instant from, Instant to) {
    return slo(tenant, cls, from, to).path("requests").asLong();
  }

  /** {@code GET /api/v1/slo}: TTFT p95 of a class in {@code [from, to)}, in milliseconds. */
  public double ttftP95Ms(String tenant, String cls, Instant from, Instant to) {
    return slo(tenant, cls, from, to).path("slis").path("ttft").path("p95Ms").asDouble();
  }

  private JsonNode slo(String tenant, String cls, Instant from, Instant to) {
    return get("/api/v1/slo?class=" + cls + tenantParam(tenant) + "&from=" + from + "&to=" + to);
  }

  private static String tenantParam(String tenant) {
    return tenant == null ? "" : "&tenant=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8);
  }

  /** GET of {@code pathAndQuery} on the API; an answer other than 200 is an exception. */
  public JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(apiUrl + pathAndQuery))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + pathAndQuery + " -> " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + pathAndQuery + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
