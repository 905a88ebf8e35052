package dev.tierscope.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses of the proxies whose {@code X-Scope-OrgID} is believed ({@code
 * tierscope.auth.trusted-proxies}): single addresses and CIDR ranges, IPv4 and IPv6. An IPv4
 * address also matches its IPv4-mapped IPv6 form ({@code ::ffff:10.0.0.7}), as dual-stack sockets
 * report it.
 *
 * <pre>{@code
 * TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "::1"));
 * proxies.contains(InetAddress.getByName("10.1.2.3")); // true
 * }</pre>
 */
public final class TrustedProxies {

  private record Range(byte[] network, int prefixBits, String text) {}

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /**
   * Parses addresses and CIDR ranges, each a literal IP (no host names: they would be resolved
   * once, here, and silently go stale).
   *
   * @throws IllegalArgumentException naming the entry that is not an address or a range
   */
  public static TrustedProxies parse(List<String> entries) {
    List<Range> ranges = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.trim();
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      byte[] bytes = literal(address, raw);
      int bits = bytes.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + raw + "' has no prefix length after '/'");
        }
        if (bits < 0 || bits > bytes.length * 8) {
          throw new IllegalArgumentException(
              "'" + raw + "': prefix length must be 0 to " + bytes.length * 8);
        }
      }
      ranges.add(new Range(bytes, bits, entry));
    }
    return new TrustedProxies(ranges);
  }

  /** True when the address lies in one of the ranges. */
  public boolean contains(InetAddress address) {
    if (address == null) {
      return false;
    }
    byte[] bytes = address.getAddress();
    byte[] v4 = mappedIpv4(address);
    for (Range r : ranges) {
      if (matches(r, bytes) || (v4 != null && matches(r, v4))) {
        return true;
      }
    }
    return false;
  }

  /** True when no proxy is configured. */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  @Override
  public String toString() {
    return ranges.stream().map(Range::text).toList().toString();
  }

  private static boolean matches(Range r, byte[] address) {
    if (address.length != r.network.length) {
      return false;
    }
    int full = r.prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != r.network[i]) {
        return false;
      }
    }
    int rest = r.prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (r.network[full] & mask);
  }

  private static byte[] mappedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return null;
    }
    byte[] b = address.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return null;
      }
    }
    if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
      return null;
    }
    return new byte[] {b[12], b[13], b[14], b[15]};
  }

  private static byte[] literal(String address, String raw) {
    boolean looksLikeIp =
        !address.isEmpty()
            && address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    if (!looksLikeIp) {
      throw new IllegalArgumentException(
          "'" + raw + "' is not an IP address or CIDR range (host names are not accepted)");
    }
    try {
      InetAddress a = InetAddress.getByName(address); // a literal: no lookup
      return a instanceof Inet4Address || a instanceof Inet6Address ? a.getAddress() : null;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + raw + "' is not an IP address or CIDR range");
    }
  }
}
