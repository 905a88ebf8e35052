package dev.tierscope.simulator;

import dev.tierscope.sdk.ClientPath;
import dev.tierscope.sdk.ConnectionType;

/**
 * One simulated client (a user's device or a batch worker) with a fixed network situation.
 *
 * @param id index in its population
 * @param path network path to the service
 * @param connection access link
 * @param protocolVersion the HTTP version it uses when nothing goes wrong ({@code 3}, {@code 2},
 *     {@code 1.1})
 * @param rttMicros its round-trip time to the service, microseconds
 * @param tunnelled whether its path crosses a tunnel that can black-hole large packets (an MTU
 *     black hole hits only these)
 */
public record SimClient(
    int id,
    ClientPath path,
    ConnectionType connection,
    String protocolVersion,
    long rttMicros,
    boolean tunnelled) {

  /** Whether it tries HTTP/3 first. */
  public boolean http3() {
    return "3".equals(protocolVersion);
  }
}
