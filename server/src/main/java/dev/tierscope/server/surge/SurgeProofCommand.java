package dev.tierscope.server.surge;

import dev.tierscope.embedded.PostgresServers;
import dev.tierscope.server.ServerOptions;
import dev.tierscope.server.TierscopeServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code java -jar tierscope-server.jar surge-proof [--compressed] [--open-loop-offline] [--seed N]
 * [--key=value ...]} (Spring properties of the server under test, as for the server itself): starts
 * a Tierscope of its own (embedded Kafka and PostgreSQL on free ports, in a temporary directory; or
 * the Kafka and PostgreSQL of {@code TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS} and {@code
 * TIERSCOPE_DB_URL}), runs the {@link SurgeProof} and prints the reaction time and the table. Exit
 * status 0 when every check holds, 1 when one does not, 2 on a usage error.
 */
public final class SurgeProofCommand {

  private SurgeProofCommand() {}

  public static int run(String[] args, PrintStream out, PrintStream err) {
    long seed = 1;
    double speed = 1;
    boolean openLoopToTierscope = true;
    Map<String, String> extra = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--") && args[i].contains("=")) {
        int eq = args[i].indexOf('=');
        extra.put(args[i].substring(2, eq), args[i].substring(eq + 1));
        continue;
      }
      switch (args[i]) {
        case "--compressed" -> speed = SurgeProof.COMPRESSED_SPEED;
        case "--open-loop-offline" -> openLoopToTierscope = false;
        case "--seed" -> {
          if (i + 1 >= args.length) {
            err.println("--seed needs a number");
            return 2;
          }
          try {
            seed = Long.parseLong(args[++i]);
          } catch (NumberFormatException e) {
            err.println("--seed needs a number, was '" + args[i] + "'");
            return 2;
          }
        }
        default -> {
          err.println(
              "unknown argument '" + args[i] + "'; usage: surge-proof [--compressed] [--seed N]");
          return 2;
        }
      }
    }
    SurgeProof proof = new SurgeProof(seed, speed, openLoopToTierscope);
    Map<String, String> env = System.getenv();
    Map<String, String> properties = new LinkedHashMap<>(SurgeProof.serverProperties(speed));
    properties.put("tierscope.ingest.grpc-port", "0");
    properties.putAll(extra);
    try {
      Path home = Files.createTempDirectory("tierscope-surge-proof");
      String kafka = env.get("TIERSCOPE_KAFKA_BOOTSTRAP_SERVERS");
      ServerOptions options =
          new ServerOptions(
              home,
              0,
              0,
              0,
              kafka == null || kafka.isBlank() ? null : kafka,
              0,
              PostgresServers.fromEnvironment().orElse(null),
              properties);
      long started = System.nanoTime();
      try (TierscopeServer server = TierscopeServer.start(options, proof.clock())) {
        // Ctrl+C: the server's own shutdown hook stops it in order, Kafka and PostgreSQL too
        err.printf(
            "Tierscope for the proof: API %s, OTLP %s (started in %d ms)%n",
            server.apiUrl(), server.otlpHttpUrl(), (System.nanoTime() - started) / 1_000_000);
        SurgeProof.Result result = proof.run(server, err);
        SurgeProof.print(result, out);
        return result.problems().isEmpty() ? 0 : 1;
      }
    } catch (Exception e) {
      err.println("surge proof failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }
}
