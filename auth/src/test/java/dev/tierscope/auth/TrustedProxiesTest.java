package dev.tierscope.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  static boolean contains(TrustedProxies p, String address) throws Exception {
    return p.contains(InetAddress.getByName(address));
  }

  @Test
  void matchesAddressesAndRangesOfBothFamilies() throws Exception {
    TrustedProxies p =
        TrustedProxies.parse(
            List.of("10.0.0.0/8", "192.168.1.7", " 172.16.0.0/12 ", "fd00::/8", "::1"));

    assertThat(contains(p, "10.255.1.2")).isTrue();
    assertThat(contains(p, "11.0.0.1")).isFalse();
    assertThat(contains(p, "192.168.1.7")).isTrue();
    assertThat(contains(p, "192.168.1.8")).isFalse();
    assertThat(contains(p, "172.31.255.255")).isTrue();
    assertThat(contains(p, "172.32.0.0")).isFalse();
    assertThat(contains(p, "fd12:3456::1")).isTrue();
    assertThat(contains(p, "fe80::1")).isFalse();
    assertThat(contains(p, "::1")).isTrue();
    assertThat(contains(p, "127.0.0.1")).isFalse();
    assertThat(p.contains(null)).isFalse();
  }

  @Test
  void anIpv4RangeMatchesTheMappedIpv6FormOfItsAddresses() throws Exception {
    TrustedProxies p = TrustedProxies.parse(List.of("10.0.0.0/8"));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 7;
    assertThat(p.contains(java.net.Inet6Address.getByAddress(null, mapped, -1))).isTrue();
  }

  @Test
  void refusesHostNamesAndBadPrefixes() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.internal")))
        .hasMessageContaining("host names are not accepted");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
        .hasMessageContaining("prefix length must be 0 to 32");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/")))
        .hasMessageContaining("no prefix length");
  }
}
