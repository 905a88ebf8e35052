package dev.tierscope.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the OpenTelemetry JS exporters of {@code src/test/js} under Node: installs the packages of
 * {@code package.json} with {@code npm ci} when {@code node_modules} is missing ({@code .ci/run}
 * installs them before the build), then runs {@code export-spans.js} with the environment a test
 * gives (e.g. {@code OTEL_EXPORTER_OTLP_HEADERS}, {@code NODE_EXTRA_CA_CERTS}).
 */
final class JsClients {

  /** What a run printed and how it ended. */
  record Run(int exit, String output) {

    /** A hex field of the script's JSON line, e.g. {@code traceId}. */
    String field(String name) {
      Matcher m =
          Pattern.compile("\"" + Pattern.quote(name) + "\":\"([0-9a-f]+)\"").matcher(output);
      assertThat(m.find()).as("%s in node output:\n%s", name, output).isTrue();
      return m.group(1);
    }
  }

  private JsClients() {}

  /** The directory of the JS clients, with its packages installed. */
  static synchronized Path installed() throws Exception {
    Path dir = Path.of(System.getProperty("basedir", ".")).resolve("src/test/js").toAbsolutePath();
    require(dir, "node", "--version");
    if (!Files.isDirectory(dir.resolve("node_modules/@opentelemetry/sdk-trace-base"))) {
      require(dir, "npm", "--version");
      Run install = run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
      if (install.exit() != 0) {
        fail("npm ci in " + dir + " failed (exit " + install.exit() + "):\n" + install.output());
      }
    }
    return dir;
  }

  /** {@code node export-spans.js <url> <json|proto> [gzip]} with extra environment. */
  static Run exportSpans(String url, String protocol, String compression, Map<String, String> env)
      throws Exception {
    Path dir = installed();
    List<String> command =
        compression == null
            ? List.of("node", "export-spans.js", url, protocol)
            : List.of("node", "export-spans.js", url, protocol, compression);
    return run(dir, command, env, 60);
  }

  private static void require(Path dir, String tool, String arg) {
    try {
      Run r = run(dir, List.of(tool, arg), Map.of(), 60);
      if (r.exit() != 0) {
        fail(tool + " " + arg + " failed: " + r.output());
      }
    } catch (IOException | InterruptedException e) {
      fail(
          "the OpenTelemetry JS exporters need Node.js (20+) and npm on the PATH; '"
              + tool
              + "' could not be run ("
              + e.getMessage()
              + "). Install Node.js, then run 'npm ci' in "
              + dir);
    }
  }

  private static Run run(
      Path dir, List<String> command, Map<String, String> env, int timeoutSeconds)
      throws IOException, InterruptedException {
    File log = Files.createTempFile("otlp-js-", ".log").toFile();
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log);
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "timed out after " + timeoutSeconds + " s: " + read(log));
      }
      return new Run(p.exitValue(), read(log));
    } finally {
      Files.deleteIfExists(log.toPath());
    }
  }

  private static String read(File f) throws IOException {
    return Files.readString(f.toPath(), UTF_8);
  }
}
