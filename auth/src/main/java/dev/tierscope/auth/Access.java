package dev.tierscope.auth;

import java.util.List;

/**
 * {@link AccessControl}'s answer to one request: granted with the caller and the tenants the
 * request is about, or refused with the status to answer and a message for the client.
 */
public sealed interface Access {

  /**
   * The request may proceed.
   *
   * @param caller who called
   * @param requested the tenants the request named ({@code X-Scope-OrgID} and {@code tenant}
   *     parameters, each once, in order), every one of them the caller's; empty when it named none
   * @param tenant the one tenant the request is about: the one it named, or the caller's only
   *     tenant when it named none; null when that is not one tenant (several named, or none named
   *     by a caller of several tenants or of the {@code none} mode)
   */
  record Granted(Caller caller, List<String> requested, String tenant) implements Access {
    public Granted {
      requested = List.copyOf(requested);
    }
  }

  /**
   * The request is refused.
   *
   * @param reason how the transport answers (401, 403 or 400 and their gRPC codes)
   * @param message for the client: what was wrong and what to send instead; never a secret
   */
  record Refused(Reason reason, String message) implements Access {}

  /** Why a request was refused; each transport maps it onto its own status. */
  enum Reason {
    /**
     * No usable identity: missing, malformed or unknown token, or not from a trusted proxy. 401.
     */
    UNAUTHENTICATED(401, "unauthenticated"),
    /** Identified, but the scope or a named tenant is not the caller's. 403. */
    FORBIDDEN(403, "forbidden"),
    /**
     * The tenant named is not a tenant name, or the request must name one tenant and did not. 400.
     */
    BAD_TENANT(400, "bad_tenant");

    private final int httpStatus;
    private final String key;

    Reason(int httpStatus, String key) {
      this.httpStatus = httpStatus;
      this.key = key;
    }

    /** The HTTP status of this refusal. */
    public int httpStatus() {
      return httpStatus;
    }

    /**
     * A bounded metric tag value: {@code unauthenticated}, {@code forbidden}, {@code bad_tenant}.
     */
    public String key() {
      return key;
    }
  }
}
