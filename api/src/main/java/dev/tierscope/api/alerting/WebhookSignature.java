package dev.tierscope.api.alerting;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of every webhook delivery (alerts, admission control): {@code
 * X-Tierscope-Signature: sha256=<hex>}, the HMAC-SHA256 keyed with the webhook's secret of {@code
 * <X-Tierscope-Timestamp>.<raw body>}.
 */
public final class WebhookSignature {

  private WebhookSignature() {}

  /** Hex HMAC-SHA256 of {@code timestamp + "." + body} keyed with {@code secret}. */
  public static String sign(String secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
