package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The all-in-one server's command line: what it takes, and what it refuses with a reason. */
class ServerOptionsTest {

  @Test
  void aServerPortArgumentIsRefusedNamingThePortVariables() {
    for (String arg : new String[] {"--server.port=18080", "--management.server.port=18082"}) {
      assertThatThrownBy(() -> ServerOptions.fromEnvironment(Map.of(), new String[] {arg}))
          .as(arg)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(arg.substring(0, arg.indexOf('=')))
          .hasMessageContaining("TIERSCOPE_API_PORT (8080)")
          .hasMessageContaining("TIERSCOPE_OTLP_HTTP_PORT (4318)");
    }
  }

  @Test
  void thePortsComeFromTheEnvironmentAndOtherPropertiesPassThrough() {
    ServerOptions options =
        ServerOptions.fromEnvironment(
            Map.of("TIERSCOPE_API_PORT", "18080"),
            new String[] {"--tierscope.aggregator.grace=4s"});
    assertThat(options.apiPort()).isEqualTo(18080);
    assertThat(options.otlpHttpPort()).isEqualTo(4318);
  }
}
