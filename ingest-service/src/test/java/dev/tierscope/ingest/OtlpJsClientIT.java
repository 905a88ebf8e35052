package dev.tierscope.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenTelemetry JS SDK (from npm, run by Node) exporting to the ingest through its JSON and its
 * protobuf OTLP/HTTP exporters. These exporters send chunked bodies without a Content-Length, hex
 * ids, integer enums and int64 as strings.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH; installs the packages of {@code
 * src/test/js/package.json} with {@code npm ci} when {@code node_modules} is missing ({@code
 * .ci/run} installs them before the build).
 */
class OtlpJsClientIT {

  static final long T0_NANOS = 1_767_225_600_000_000_000L;
  static final long MS = 1_000_000L;
  static Path jsDir;

  @BeforeAll
  static void installJsClients() throws Exception {
    jsDir = Path.of(System.getProperty("basedir", ".")).resolve("src/test/js").toAbsolutePath();
    require("node", "--version");
    if (!Files.isDirectory(jsDir.resolve("node_modules/@opentelemetry/sdk-trace-base"))) {
      require("npm", "--version");
      Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
      if (install.exit != 0) {
        fail("npm ci in " + jsDir + " failed (exit " + install.exit + "):\n" + install.output);
      }
    }
  }

  @ParameterizedTest(name = "{0} exporter, compression {1}")
  @CsvSource({"json, none", "proto, none", "json, gzip"})
  void openTelemetryJsExporterDeliversANormalisedTrace(String protocol, String compression)
      throws Exception {
    RunningIngest ingest = SharedIngest.ingest();
    List<String> command = new ArrayList<>(List.of("node", "export-spans.js", ingest.tracesUrl()));
    command.add(protocol);
    if (!compression.equals("none")) {
      command.add(compression);
    }

    Run result = run(command, 60);

    assertThat(result.exit).as("node output:\n%s", result.output).isZero();
    String traceId = field(result.output, "traceId");
    List<SpanEvent> events = SharedIngest.topic().trace(traceId, 3);
    assertThat(events).hasSize(3);
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.getService()).isEqualTo("js-chat-" + protocol);
              assertThat(e.getTenant()).isEqualTo("js-tenant");
            });

    SpanEvent client = SdkTraces.byRole(events, Role.ROLE_CLIENT);
    assertThat(OtlpHttpIT.hex(client.getSpanId())).isEqualTo(spanId(result.output, "POST /chat"));
    assertThat(client.getTrafficClass()).isEqualTo(SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(client.getStartEpochNanos()).isEqualTo(T0_NANOS);
    assertThat(client.getEndEpochNanos()).isEqualTo(T0_NANOS + 1000 * MS);
    assertThat(client.getFirstTokenEpochNanos()).isEqualTo(T0_NANOS + 420 * MS);
    assertThat(client.getStreamed()).isTrue();
    assertThat(client.getClientPath()).isEqualTo("mobile");
    assertThat(client.getProtocolVersion()).isEqualTo("2");
    assertThat(client.getRetransmits()).isEqualTo(3);

    SpanEvent gateway = SdkTraces.byRole(events, Role.ROLE_GATEWAY);
    assertThat(gateway.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(gateway.getFirstTokenEpochNanos()).isEqualTo(T0_NANOS + 370 * MS);

    SpanEvent model = SdkTraces.byRole(events, Role.ROLE_MODEL);
    assertThat(model.getParentSpanId()).isEqualTo(gateway.getSpanId());
    assertThat(model.getModel()).isEqualTo("llama-3.1-8b");
    assertThat(model.getInputTokens()).isEqualTo(1200);
    assertThat(model.getOutputTokens()).isEqualTo(350);
    assertThat(model.getModelQueueMicros()).isEqualTo(12_500);
    assertThat(model.getFirstTokenEpochNanos()).isEqualTo(T0_NANOS + 300 * MS);
  }

  // ---- helpers

  private record Run(int exit, String output) {}

  private static void require(String tool, String arg) {
    try {
      Run r = run(List.of(tool, arg), 60);
      if (r.exit != 0) {
        fail(tool + " " + arg + " failed: " + r.output);
      }
    } catch (IOException | InterruptedException e) {
      fail(
          "OtlpJsClientIT needs Node.js (20+) and npm on the PATH to run the OpenTelemetry JS"
              + " exporters; '"
              + tool
              + "' could not be run ("
              + e.getMessage()
              + "). Install Node.js, then run 'npm ci' in "
              + jsDir);
    }
  }

  private static Run run(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    File log = Files.createTempFile("otlp-js-", ".log").toFile();
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(jsDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log)
              .start();
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

  private static String field(String output, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([0-9a-f]+)\"").matcher(output);
    assertThat(m.find()).as("%s in node output:\n%s", name, output).isTrue();
    return m.group(1);
  }

  private static String spanId(String output, String spanName) {
    return field(output, Pattern.quote(spanName));
  }
}
