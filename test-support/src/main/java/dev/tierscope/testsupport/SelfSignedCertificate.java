package dev.tierscope.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made by the JDK's own
 * {@code keytool} for the test that uses it and written as PEM files: the private key (PKCS#8) and
 * the certificate, which is also what a client trusts. Spring Boot's PEM SSL bundles read both;
 * OpenTelemetry exporters take the certificate ({@code OTEL_EXPORTER_OTLP_CERTIFICATE}, Node's
 * {@code NODE_EXTRA_CA_CERTS}).
 *
 * <pre>{@code
 * SelfSignedCertificate cert = SelfSignedCertificate.create(tempDir);
 * "--spring.ssl.bundle.pem.tls.keystore.certificate=" + cert.certificate()
 * "--spring.ssl.bundle.pem.tls.keystore.private-key=" + cert.privateKey()
 * }</pre>
 *
 * @param certificate the certificate, PEM
 * @param privateKey its unencrypted private key, PEM (PKCS#8)
 */
public record SelfSignedCertificate(Path certificate, Path privateKey) {

  /**
   * Generates a 2048-bit RSA key and a certificate valid for two days in {@code dir}.
   *
   * @throws IllegalStateException when keytool fails
   */
  public static SelfSignedCertificate create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path keystore = dir.resolve("tls.p12");
      Files.deleteIfExists(keystore);
      String password = "changeit";
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process p =
          new ProcessBuilder(
                  List.of(
                      keytool.toString(),
                      "-genkeypair",
                      "-alias",
                      "tls",
                      "-keyalg",
                      "RSA",
                      "-keysize",
                      "2048",
                      "-validity",
                      "2",
                      "-dname",
                      "CN=localhost",
                      "-ext",
                      "SAN=dns:localhost,ip:127.0.0.1",
                      "-storetype",
                      "PKCS12",
                      "-keystore",
                      keystore.toString(),
                      "-storepass",
                      password,
                      "-keypass",
                      password))
              .redirectErrorStream(true)
              .start();
      String output;
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, password.toCharArray());
      }
      Key key = store.getKey("tls", password.toCharArray());
      Certificate cert = store.getCertificate("tls");
      Path certificate = dir.resolve("tls.crt");
      Path privateKey = dir.resolve("tls.key");
      Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()));
      Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()));
      return new SelfSignedCertificate(certificate, privateKey);
    } catch (IOException | InterruptedException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("could not make a self-signed certificate in " + dir, e);
    }
  }

  /** The Spring Boot properties of a PEM SSL bundle of this certificate, without the leading --. */
  public java.util.Map<String, String> bundleProperties(String bundle) {
    return java.util.Map.of(
        "spring.ssl.bundle.pem." + bundle + ".keystore.certificate",
        "file:" + certificate,
        "spring.ssl.bundle.pem." + bundle + ".keystore.private-key",
        "file:" + privateKey);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
