package dev.tierscope.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAPI document lists every endpoint; actuator health is up. */
class OpenApiIT {

  private static ApiFixture f;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
  }

  @Test
  void openApiDocumentListsEveryEndpoint() {
    DocumentContext j = f.json("/v3/api-docs");
    assertThat(j.read("$.openapi", String.class)).startsWith("3.");
    assertThat(j.read("$.info.title", String.class)).isEqualTo("Tierscope API");
    Map<String, Object> paths = j.read("$.paths");
    assertThat(paths)
        .containsKeys(
            "/api/v1/classes",
            "/api/v1/slo",
            "/api/v1/slo/series",
            "/api/v1/budget",
            "/api/v1/alerts",
            "/api/v1/attribution",
            "/api/v1/capacity/tokens");
    assertThat(j.read("$.paths['/api/v1/slo'].get.parameters[*].name", java.util.List.class))
        .contains("class", "from", "to", "tenant");
    assertThat(j.read("$.paths['/api/v1/slo/series'].get.summary", String.class))
        .contains("merges exactly the windows of its step");
    assertThat(
            j.read(
                "$.paths['/api/v1/slo/series'].get.parameters[?(@.name == 'step')].description",
                java.util.List.class))
        .singleElement()
        .asString()
        .contains("multiple of the 10 s window");
  }

  @Test
  void healthIsUp() {
    assertThat(f.json("/actuator/health").read("$.status", String.class)).isEqualTo("UP");
  }
}
