package dev.tierscope.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The snapshot's string fast path writes exactly what {@link DataOutputStream#writeUTF} writes. */
class SnapshotStringsTest {

  @Test
  void writesTheSameBytesAsWriteUtf() throws IOException {
    List<String> fixed =
        List.of(
            "",
            "default",
            "interactive_premium",
            "\u0000",
            "a\u0000b",
            "é",
            "\u007f",
            "\u0080",
            "日本",
            "😀",
            "x".repeat(255),
            "x".repeat(256),
            "y".repeat(300) + "é");
    for (String s : fixed) {
      assertThat(fast(s)).as("%s", s).isEqualTo(reference(s));
    }
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(300);
      for (int k = 0; k < n; k++) {
        b.append((char) (r.nextInt(4) == 0 ? r.nextInt(0x10000) : r.nextInt(0x80)));
      }
      String s = b.toString();
      assertThat(fast(s)).as("%s", s).isEqualTo(reference(s));
    }
  }

  private static byte[] fast(String s) throws IOException {
    GrowableBytes bytes = new GrowableBytes(0);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      AssemblySnapshotCodec.writeUtf(out, s);
    }
    return bytes.toByteArray();
  }

  private static byte[] reference(String s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(s);
    }
    return bytes.toByteArray();
  }
}
