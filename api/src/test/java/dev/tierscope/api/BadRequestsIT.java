package dev.tierscope.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad requests answer 400 {@code application/problem+json} naming the offending parameter. */
class BadRequestsIT {

  private static final String RANGE = "from=2026-11-20T10:00:00Z&to=2026-11-20T11:00:00Z";

  private static ApiFixture f;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "/api/v1/slo?class=premium&" + RANGE + "|class|unknown class 'premium'",
        "/api/v1/slo?class=interactive_premium&from=2026-11-20T11:00:00Z&to=2026-11-20T10:00:00Z|from|must be before",
        "/api/v1/slo?class=interactive_premium&from=yesterday&to=1795773600000|from|ISO-8601",
        "/api/v1/slo?class=interactive_premium&to=1795773600000|from|'from' is required",
        "/api/v1/slo?class=interactive_premium&"
            + RANGE
            + "&tenant=a%20b|tenant|'tenant' must match",
        "/api/v1/slo/series?class=interactive_premium&sli=latency&stat=p95&"
            + RANGE
            + "|sli|unknown sli 'latency'",
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p42&"
            + RANGE
            + "|stat|does not fit",
        "/api/v1/slo/series?class=interactive_premium&sli=streamInterruption&stat=p95&"
            + RANGE
            + "|stat|does not fit",
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p95&from=2026-01-01T00:00:00Z&to=2026-11-20T00:00:00Z&step=10s|step|points, more than the 5000 allowed",
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p95&"
            + RANGE
            + "&step=15s|step|multiple of the 10s window",
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p95&"
            + RANGE
            + "&step=soon|step|must be a duration",
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p95&"
            + RANGE
            + "&step=0s|step|must be positive",
        "/api/v1/slo/series?class=nope&sli=ttft&stat=p95&" + RANGE + "|class|unknown class",
        "/api/v1/slo?class=interactive_premium&"
            + RANGE
            + "&breakdown=colour|breakdown|unknown breakdown 'colour'; one of [clientPath,",
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p95&"
            + RANGE
            + "&breakdown=tenant|breakdown|unknown breakdown 'tenant'",
        "/api/v1/slo?class=interactive_premium&"
            + RANGE
            + "&filter=gpt-4o|filter|must be <dimension>:<value>",
        "/api/v1/slo?class=interactive_premium&"
            + RANGE
            + "&filter=colour:red|filter|unknown dimension 'colour'",
        "/api/v1/slo?class=interactive_premium&"
            + RANGE
            + "&breakdown=model&filter=region:eu-west-1|filter|one dimension at a time",
        "/api/v1/budget?class=interactive_premium&sli=mesh|sli|unknown sli 'mesh'",
        "/api/v1/budget?class=interactive_premium|sli|'sli' is required",
        "/api/v1/budget?class=interactive_premium&sli=ttft&at=noon|at|ISO-8601",
        "/api/v1/alerts?at=99999999999999999999|at|epoch millisecond",
        "/api/v1/attribution?class=interactive_premium&"
            + RANGE
            + "&baselineFrom=2026-11-20T09:00:00Z|baselineTo|go together",
        "/api/v1/attribution?class=interactive_premium&"
            + RANGE
            + "&baselineFrom=2026-11-20T09:00:00Z&baselineTo=2026-11-20T08:00:00Z|baselineFrom|must be before",
        "/api/v1/capacity/tokens?from=2026-11-20T11:00:00Z&to=2026-11-20T10:00:00Z|from|must be before",
        "/api/v1/capacity/tokens?" + RANGE + "&step=1s|step|multiple of the 10s window",
        "/api/v1/capacity/tokens?" + RANGE + "&class=gold|class|unknown class",
      })
  void answersProblemJsonNamingTheParameter(String path, String parameter, String detail) {
    HttpResponse<String> r = f.get(path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    DocumentContext j = JsonPath.parse(r.body());
    assertThat(j.read("$.status", Integer.class)).isEqualTo(400);
    assertThat(j.read("$.parameter", String.class)).isEqualTo(parameter);
    assertThat(j.read("$.detail", String.class)).contains(detail);
  }

  @Test
  void unknownPathIsAProblemToo() {
    HttpResponse<String> r = f.get("/api/v1/nothing-here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
  }
}
