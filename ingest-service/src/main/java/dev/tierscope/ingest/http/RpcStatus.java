package dev.tierscope.ingest.http;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes a {@code google.rpc.Status} (code = 1, message = 2), the error body OTLP/HTTP asks for;
 * two fields do not justify a dependency on the common protos.
 */
final class RpcStatus {

  /** gRPC code INVALID_ARGUMENT. */
  static final int INVALID_ARGUMENT = 3;

  /** gRPC code RESOURCE_EXHAUSTED. */
  static final int RESOURCE_EXHAUSTED = 8;

  /** gRPC code UNAVAILABLE. */
  static final int UNAVAILABLE = 14;

  private RpcStatus() {}

  static byte[] encode(int code, String message) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
