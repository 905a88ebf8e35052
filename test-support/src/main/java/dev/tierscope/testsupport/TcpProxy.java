package dev.tierscope.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A userspace TCP proxy on loopback that a test can make misbehave like a failing network or a hung
 * server, which the kernel here cannot do for us ({@code tc netem} is missing):
 *
 * <ul>
 *   <li>{@link #hang()}: connections stay open, new ones are accepted, but no byte moves in either
 *       direction; a client blocks until its own socket or statement timeout fires (a server that
 *       is SIGSTOPped, a firewall that drops packets).
 *   <li>{@link #cut()}: every open connection is closed and new ones are closed at once (a server
 *       that is down).
 *   <li>{@link #heal()}: forwarding resumes for connections opened from then on; bytes held back by
 *       a hang are delivered.
 * </ul>
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 5432)) {
 *   String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres";
 *   proxy.hang();
 *   ...
 *   proxy.heal();
 * }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {

  private enum Mode {
    FORWARD,
    HANG,
    CUT
  }

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private volatile Mode mode = Mode.FORWARD;
  private volatile boolean closed;

  private TcpProxy(ServerSocket server, String targetHost, int targetPort) {
    this.server = server;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** Starts a proxy on a free loopback port forwarding to {@code host:port}. */
  public static TcpProxy start(String host, int port) {
    try {
      ServerSocket server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      TcpProxy proxy = new TcpProxy(server, host, port);
      Thread acceptor = new Thread(proxy::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
      acceptor.setDaemon(true);
      acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("could not start a TCP proxy to " + host + ":" + port, e);
    }
  }

  /**
   * A JDBC URL like {@code jdbcUrl} whose host and port are replaced by this proxy's ({@code
   * jdbc:postgresql://host:port/...} only).
   */
  public String rewriteJdbcUrl(String jdbcUrl) {
    String prefix = "jdbc:postgresql://";
    if (!jdbcUrl.startsWith(prefix)) {
      throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + jdbcUrl);
    }
    int slash = jdbcUrl.indexOf('/', prefix.length());
    return prefix + "127.0.0.1:" + port() + (slash < 0 ? "" : jdbcUrl.substring(slash));
  }

  /** The loopback port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Stops moving bytes; connections stay open and new ones are accepted. */
  public void hang() {
    mode = Mode.HANG;
  }

  /** Closes every connection and closes new ones at once. */
  public void cut() {
    mode = Mode.CUT;
    closeAll();
  }

  /** Forwards again. */
  public void heal() {
    synchronized (lock) {
      mode = Mode.FORWARD;
      lock.notifyAll();
    }
  }

  /** Open client connections. */
  public int connections() {
    return sockets.size() / 2;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (mode == Mode.CUT) {
        closeQuietly(client);
        continue;
      }
      Thread t = new Thread(() -> connect(client), "tcp-proxy-connect-" + port());
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    Socket upstream;
    try {
      awaitForwarding();
      upstream = new Socket(targetHost, targetPort);
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
      return;
    }
    sockets.add(client);
    sockets.add(upstream);
    pump(client, upstream, "up");
    pump(upstream, client, "down");
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  awaitForwarding();
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // one side closed or the proxy cut it: close both
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-" + direction + "-" + port());
    t.setDaemon(true);
    t.start();
  }

  /** Blocks while hung; throws when cut, so the connection is closed. */
  private void awaitForwarding() throws InterruptedException, IOException {
    synchronized (lock) {
      while (mode == Mode.HANG && !closed) {
        lock.wait(100);
      }
    }
    if (mode == Mode.CUT || closed) {
      throw new IOException("cut");
    }
  }

  private void closeAll() {
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  private void closeQuietly(Socket s) {
    sockets.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    heal();
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    closeAll();
  }
}
