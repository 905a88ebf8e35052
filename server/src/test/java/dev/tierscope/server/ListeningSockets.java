package dev.tierscope.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process listens on, as the Linux kernel reports them ({@code /proc/<pid>/fd}
 * and {@code /proc/<pid>/net/tcp}, {@code tcp6}): the bound addresses are read, nothing connects.
 */
final class ListeningSockets {

  /** One listening socket: its bound address and port. */
  record Socket(InetAddress address, int port) {
    boolean isLoopback() {
      return address.isLoopbackAddress();
    }

    boolean isWildcard() {
      return address.isAnyLocalAddress();
    }

    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  private ListeningSockets() {}

  /** Whether this system reports sockets the way this class reads them. */
  static boolean supported() {
    return Files.isReadable(Path.of("/proc/self/net/tcp"));
  }

  /** Every socket the process listens on. */
  static List<Socket> of(long pid) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      fds.forEach(
          fd -> {
            try {
              String target = Files.readSymbolicLink(fd).toString();
              if (target.startsWith("socket:[")) {
                inodes.add(target.substring(8, target.length() - 1));
              }
            } catch (IOException e) {
              // closed meanwhile
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Socket> sockets = new ArrayList<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path file = Path.of("/proc/" + pid + "/net/" + table);
      if (!Files.exists(file)) {
        continue;
      }
      try {
        // one read: the table changes while sockets open and close
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
          if (!f[3].equals("0A") || !inodes.contains(f[9])) {
            continue;
          }
          String[] local = f[1].split(":");
          sockets.add(new Socket(address(local[0]), Integer.parseInt(local[1], 16)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sockets;
  }

  /** The kernel's hex address: IPv4 as one little-endian word, IPv6 as four of them. */
  private static InetAddress address(String hex) {
    byte[] b = new byte[hex.length() / 2];
    for (int word = 0; word < b.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 8 + (3 - i) * 2;
        b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
