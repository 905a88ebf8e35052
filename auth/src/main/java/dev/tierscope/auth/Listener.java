package dev.tierscope.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket a deployable listens on, as configured: what the {@code none} mode is checked against.
 *
 * @param what what listens there, for the message (e.g. {@code OTLP/gRPC})
 * @param property the property that sets the address (e.g. {@code tierscope.ingest.grpc-address})
 * @param address the configured bind address; null or blank for all interfaces
 */
public record Listener(String what, String property, String address) {

  /**
   * True when the address is a loopback address ({@code 127.0.0.0/8}, {@code ::1}, or a name such
   * as {@code localhost} that resolves only to loopback addresses).
   */
  public boolean isLoopback() {
    if (address == null || address.isBlank()) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(address.strip());
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Fails unless every listener is on loopback: the {@code none} mode lets anyone who reaches a
   * port write and read as any tenant, so it must not be reachable from another machine.
   *
   * @throws IllegalStateException naming each listener that is not, and what to set instead
   */
  public static void requireLoopback(List<Listener> listeners) {
    List<String> open = new ArrayList<>();
    for (Listener l : listeners) {
      if (!l.isLoopback()) {
        open.add(
            l.what()
                + " ("
                + l.property()
                + (l.address() == null || l.address().isBlank()
                    ? " unset: every interface"
                    : "=" + l.address())
                + ")");
      }
    }
    if (!open.isEmpty()) {
      throw new IllegalStateException(
          "tierscope.auth.mode=none is allowed only while every listener is bound to loopback, but "
              + String.join(", ", open)
              + " "
              + (open.size() == 1 ? "is" : "are")
              + " not. Set tierscope.auth.mode=token (with tierscope.auth.token-file) or"
              + " trusted-header (with tierscope.auth.trusted-proxies), or bind "
              + (open.size() == 1 ? "it" : "them")
              + " to 127.0.0.1.");
    }
  }
}
