package dev.tierscope.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AccessControlTest {

  static final String ACME = "s-acme";
  static final String BOTH = "s-both";
  static final String READER = "s-reader";
  static final String OPERATOR = "s-operator";

  static final Tokens TOKENS =
      new Tokens(
          List.of(
              new TokenEntry(
                  "acme-ingest", TokenSecrets.hash(ACME), Tenants.of("acme"), Set.of(Scope.INGEST)),
              new TokenEntry(
                  "both",
                  TokenSecrets.hash(BOTH),
                  Tenants.of("acme", "globex"),
                  Set.of(Scope.INGEST, Scope.READ)),
              new TokenEntry(
                  "reader", TokenSecrets.hash(READER), Tenants.of("acme"), Set.of(Scope.READ)),
              new TokenEntry(
                  "operator",
                  TokenSecrets.hash(OPERATOR),
                  Tenants.ANY,
                  Set.of(Scope.READ, Scope.ADMIN))));

  static Credentials bearer(String secret, String orgId, String... tenantParams) {
    return new Credentials(
        secret == null ? null : "Bearer " + secret, orgId, List.of(tenantParams), null);
  }

  static Access.Refused refused(Access a) {
    assertThat(a).isInstanceOf(Access.Refused.class);
    return (Access.Refused) a;
  }

  static Access.Granted granted(Access a) {
    assertThat(a).as("%s", a).isInstanceOf(Access.Granted.class);
    return (Access.Granted) a;
  }

  @Nested
  class TokenMode {
    final AccessControl access = AccessControl.tokens(() -> TOKENS);

    @Test
    void aSingleTenantTokenActsForItsTenantWithoutNamingIt() {
      Access.Granted g = granted(access.checkOneTenant(bearer(ACME, null), Scope.INGEST));
      assertThat(g.tenant()).isEqualTo("acme");
      assertThat(g.caller().name()).isEqualTo("acme-ingest");
      assertThat(g.requested()).isEmpty();
    }

    @Test
    void missingMalformedAndUnknownTokensAreUnauthenticated() {
      assertThat(refused(access.check(bearer(null, null), Scope.INGEST)))
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo(Access.Reason.UNAUTHENTICATED);
                assertThat(r.message()).startsWith("no credentials: send the header");
              });
      Access.Refused basic =
          refused(
              access.check(
                  new Credentials("Basic dXNlcjpwdw==", null, List.of(), null), Scope.READ));
      assertThat(basic.reason()).isEqualTo(Access.Reason.UNAUTHENTICATED);
      assertThat(basic.message()).contains("'Basic' is not accepted");
      Access.Refused bare =
          refused(access.check(new Credentials(ACME, null, List.of(), null), Scope.READ));
      assertThat(bare.message()).as("never echoes a secret").doesNotContain(ACME);
      assertThat(refused(access.check(bearer("tsk_unknown", null), Scope.INGEST)).message())
          .isEqualTo("unknown or revoked token");
      assertThat(
              refused(access.check(new Credentials("Bearer ", null, List.of(), null), Scope.READ))
                  .reason())
          .isEqualTo(Access.Reason.UNAUTHENTICATED);
    }

    @Test
    void theSchemeIsCaseInsensitive() {
      assertThat(
              granted(
                      access.check(
                          new Credentials("bearer " + ACME, null, List.of(), null), Scope.INGEST))
                  .tenant())
          .isEqualTo("acme");
    }

    @Test
    void aMissingScopeIsForbidden() {
      Access.Refused r = refused(access.check(bearer(ACME, null), Scope.READ));
      assertThat(r.reason()).isEqualTo(Access.Reason.FORBIDDEN);
      assertThat(r.message())
          .isEqualTo("token 'acme-ingest' lacks the scope 'read' (it has: ingest)");
      assertThat(refused(access.check(bearer(READER, null), Scope.INGEST)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
      assertThat(refused(access.check(bearer(READER, null), Scope.ADMIN)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
    }

    @Test
    void anotherTenantIsForbiddenThroughTheHeaderAndTheParameter() {
      Access.Refused header = refused(access.check(bearer(ACME, "globex"), Scope.INGEST));
      assertThat(header.reason()).isEqualTo(Access.Reason.FORBIDDEN);
      assertThat(header.message())
          .isEqualTo("token 'acme-ingest' may not act for tenant 'globex' (its tenants: acme)");
      assertThat(refused(access.check(bearer(READER, null, "globex"), Scope.READ)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
      // one allowed, one not: still refused
      assertThat(refused(access.check(bearer(READER, "acme", "globex"), Scope.READ)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
      assertThat(refused(access.check(bearer(READER, "globex", "acme"), Scope.READ)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
    }

    @Test
    void aMultiTenantTokenNamesOneTenantPerExport() {
      assertThat(granted(access.checkOneTenant(bearer(BOTH, "globex"), Scope.INGEST)).tenant())
          .isEqualTo("globex");
      assertThat(granted(access.checkOneTenant(bearer(BOTH, null, "acme"), Scope.INGEST)).tenant())
          .isEqualTo("acme");
      assertThat(
              granted(access.checkOneTenant(bearer(BOTH, "acme", "acme"), Scope.INGEST)).tenant())
          .isEqualTo("acme");

      Access.Refused none = refused(access.checkOneTenant(bearer(BOTH, null), Scope.INGEST));
      assertThat(none.reason()).isEqualTo(Access.Reason.BAD_TENANT);
      assertThat(none.message())
          .isEqualTo(
              "token 'both' acts for several tenants (acme,globex); name one with the"
                  + " X-Scope-OrgID header or ?tenant=");
      Access.Refused two =
          refused(access.checkOneTenant(bearer(BOTH, "acme", "globex"), Scope.INGEST));
      assertThat(two.reason()).isEqualTo(Access.Reason.BAD_TENANT);
      assertThat(two.message()).contains("several tenants (acme, globex)");
    }

    @Test
    void aReadOfSeveralTenantsIsGrantedWithoutOneTenant() {
      Access.Granted g = granted(access.check(bearer(BOTH, null, "acme", "globex"), Scope.READ));
      assertThat(g.requested()).containsExactly("acme", "globex");
      assertThat(g.tenant()).isNull();
      assertThat(granted(access.check(bearer(BOTH, null), Scope.READ)).tenant()).isNull();
    }

    @Test
    void anyTenantTokenMayNameAnyTenant() {
      assertThat(granted(access.check(bearer(OPERATOR, "whoever"), Scope.READ)).tenant())
          .isEqualTo("whoever");
      assertThat(granted(access.check(bearer(OPERATOR, null), Scope.ADMIN)).tenant()).isNull();
    }

    @Test
    void anInvalidTenantNameIsABadRequest() {
      Access.Refused r = refused(access.check(bearer(OPERATOR, "a b"), Scope.READ));
      assertThat(r.reason()).isEqualTo(Access.Reason.BAD_TENANT);
      assertThat(r.message())
          .isEqualTo("'X-Scope-OrgID' must match [A-Za-z0-9_.:-]{1,128}, was 'a b'");
      assertThat(
              refused(access.check(bearer(OPERATOR, null, "x".repeat(129)), Scope.READ)).reason())
          .isEqualTo(Access.Reason.BAD_TENANT);
    }

    @Test
    void seesTheTokensInForceAtEachRequest() {
      Tokens[] current = {Tokens.NONE};
      AccessControl rotating = AccessControl.tokens(() -> current[0]);
      assertThat(rotating.check(bearer(ACME, null), Scope.INGEST))
          .isInstanceOf(Access.Refused.class);
      current[0] = TOKENS;
      assertThat(rotating.check(bearer(ACME, null), Scope.INGEST))
          .isInstanceOf(Access.Granted.class);
    }
  }

  @Nested
  class NoneMode {
    final AccessControl access = AccessControl.none();

    @Test
    void everyoneIsAnonymousWithEveryScopeAndNamesTenantsFreely() {
      Access.Granted g = granted(access.checkOneTenant(bearer(null, null), Scope.INGEST));
      assertThat(g.caller().anonymous()).isTrue();
      assertThat(g.tenant()).as("the spans keep the tenant they name").isNull();
      assertThat(granted(access.checkOneTenant(bearer(null, "acme"), Scope.INGEST)).tenant())
          .isEqualTo("acme");
      assertThat(granted(access.check(bearer("whatever", null, "globex"), Scope.ADMIN)).tenant())
          .isEqualTo("globex");
      assertThat(refused(access.check(bearer(null, "bad tenant"), Scope.READ)).reason())
          .isEqualTo(Access.Reason.BAD_TENANT);
    }
  }

  @Nested
  class TrustedHeaderMode {
    final AccessControl access =
        AccessControl.trustedHeader(
            TrustedProxies.parse(List.of("10.0.0.0/8", "::1")), Set.of(Scope.INGEST, Scope.READ));

    Credentials from(String address, String orgId, String... tenantParams) throws Exception {
      return new Credentials(
          "Bearer ignored", orgId, List.of(tenantParams), InetAddress.getByName(address));
    }

    @Test
    void theProxysHeaderNamesTheTenant() throws Exception {
      Access.Granted g = granted(access.checkOneTenant(from("10.1.2.3", "acme"), Scope.INGEST));
      assertThat(g.tenant()).isEqualTo("acme");
      assertThat(g.caller().name()).isEqualTo("trusted-proxy");
      assertThat(granted(access.check(from("::1", "acme", "acme"), Scope.READ)).tenant())
          .isEqualTo("acme");
    }

    @Test
    void otherAddressesAndMissingHeadersAreUnauthenticated() throws Exception {
      Access.Refused r = refused(access.check(from("192.168.1.5", "acme"), Scope.READ));
      assertThat(r.reason()).isEqualTo(Access.Reason.UNAUTHENTICATED);
      assertThat(r.message()).contains("192.168.1.5 is not one");
      assertThat(refused(access.check(from("10.0.0.1", null), Scope.READ)).message())
          .isEqualTo("the trusted proxy sent no X-Scope-OrgID header naming the tenant");
      assertThat(
              refused(access.check(new Credentials(null, "acme", List.of(), null), Scope.READ))
                  .reason())
          .isEqualTo(Access.Reason.UNAUTHENTICATED);
    }

    @Test
    void aParameterNamingAnotherTenantOrAScopeNotGrantedIsForbidden() throws Exception {
      assertThat(refused(access.check(from("10.0.0.1", "acme", "globex"), Scope.READ)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
      assertThat(refused(access.check(from("10.0.0.1", "acme"), Scope.ADMIN)).reason())
          .isEqualTo(Access.Reason.FORBIDDEN);
    }

    @Test
    void needsAProxyAndAScope() {
      assertThatThrownBy(
              () ->
                  AccessControl.trustedHeader(TrustedProxies.parse(List.of()), Set.of(Scope.READ)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> AccessControl.trustedHeader(TrustedProxies.parse(List.of("::1")), Set.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
