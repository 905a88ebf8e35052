package dev.tierscope.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerTest {

  @Test
  void loopbackAddressesAndLocalhostAreLoopback() {
    assertThat(new Listener("api", "server.address", "127.0.0.1").isLoopback()).isTrue();
    assertThat(new Listener("api", "server.address", "127.1.2.3").isLoopback()).isTrue();
    assertThat(new Listener("api", "server.address", "::1").isLoopback()).isTrue();
    assertThat(new Listener("api", "server.address", "localhost").isLoopback()).isTrue();
    assertThat(new Listener("api", "server.address", null).isLoopback()).isFalse();
    assertThat(new Listener("api", "server.address", "0.0.0.0").isLoopback()).isFalse();
    assertThat(new Listener("api", "server.address", "::").isLoopback()).isFalse();
    assertThat(new Listener("api", "server.address", "10.0.0.1").isLoopback()).isFalse();
  }

  @Test
  void theNoneModeNamesEveryListenerThatIsNotOnLoopback() {
    assertThatCode(
            () ->
                Listener.requireLoopback(
                    List.of(
                        new Listener("REST API", "server.address", "127.0.0.1"),
                        new Listener("OTLP/gRPC", "tierscope.ingest.grpc-address", "::1"))))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                Listener.requireLoopback(
                    List.of(
                        new Listener("REST API", "server.address", null),
                        new Listener("OTLP/gRPC", "tierscope.ingest.grpc-address", "0.0.0.0"),
                        new Listener("management", "management.server.address", "127.0.0.1"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "tierscope.auth.mode=none is allowed only while every listener is bound to loopback,"
                + " but REST API (server.address unset: every interface), OTLP/gRPC"
                + " (tierscope.ingest.grpc-address=0.0.0.0) are not. Set tierscope.auth.mode=token"
                + " (with tierscope.auth.token-file) or trusted-header (with"
                + " tierscope.auth.trusted-proxies), or bind them to 127.0.0.1.");
  }
}
