package dev.tierscope.testsupport.monitoring;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus for a test: {@code prometheus.yml} and any rule files written into a fresh
 * directory, TSDB there too, a free port, lifecycle API on (for reloads).
 *
 * <pre>{@code
 * try (PrometheusServer p = PrometheusServer.start(dir, yaml, Map.of("rules.yml", rules))) {
 *   String json = p.query("up").body();
 * }
 * }</pre>
 */
public final class PrometheusServer extends ServiceProcess {

  private PrometheusServer(List<String> command, int port, Path dir) throws IOException {
    super("prometheus", command, port, dir);
  }

  /**
   * @param dir an empty directory of the test's own
   * @param config the text of {@code prometheus.yml}; rule files are named relative to {@code dir}
   * @param files further files to write into {@code dir} (rule files), by name
   */
  public static PrometheusServer start(Path dir, String config, Map<String, String> files)
      throws IOException, InterruptedException {
    Path binary = Binaries.prometheus();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("prometheus.yml"), config);
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue());
    }
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add("--config.file=" + dir.resolve("prometheus.yml"));
    cmd.add("--storage.tsdb.path=" + dir.resolve("data"));
    cmd.add("--web.listen-address=127.0.0.1:" + port);
    cmd.add("--web.enable-lifecycle");
    cmd.add("--log.level=warn");
    PrometheusServer p = new PrometheusServer(cmd, port, dir);
    try {
      p.awaitReady(Duration.ofSeconds(60));
      return p;
    } catch (RuntimeException | InterruptedException e) {
      p.close();
      throw e;
    }
  }

  /** {@code GET /api/v1/query?query=...}: the raw JSON answer. */
  public HttpResponse<String> query(String promql) throws IOException, InterruptedException {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** {@code GET /api/v1/query_range}: the raw JSON answer. */
  public HttpResponse<String> queryRange(
      String promql, long startSeconds, long endSeconds, String step)
      throws IOException, InterruptedException {
    return get(
        "/api/v1/query_range?query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + "&start="
            + startSeconds
            + "&end="
            + endSeconds
            + "&step="
            + step);
  }
}
