package dev.tierscope.testsupport.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Alertmanager for a test: {@code alertmanager.yml} in a fresh directory, its storage there,
 * a free port, clustering off ({@code --cluster.listen-address=}).
 */
public final class AlertmanagerServer extends ServiceProcess {

  private AlertmanagerServer(List<String> command, int port, Path dir) throws IOException {
    super("alertmanager", command, port, dir);
  }

  /**
   * @param dir an empty directory of the test's own
   * @param config the text of {@code alertmanager.yml}
   */
  public static AlertmanagerServer start(Path dir, String config)
      throws IOException, InterruptedException {
    Path binary = Binaries.alertmanager();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("alertmanager.yml"), config);
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add("--config.file=" + dir.resolve("alertmanager.yml"));
    cmd.add("--storage.path=" + dir.resolve("data"));
    cmd.add("--web.listen-address=127.0.0.1:" + port);
    cmd.add("--cluster.listen-address=");
    cmd.add("--log.level=warn");
    AlertmanagerServer a = new AlertmanagerServer(cmd, port, dir);
    try {
      a.awaitReady(Duration.ofSeconds(60));
      return a;
    } catch (RuntimeException | InterruptedException e) {
      a.close();
      throw e;
    }
  }
}
