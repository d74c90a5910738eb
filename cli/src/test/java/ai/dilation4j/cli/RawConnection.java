package ai.dilation4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A loopback TCP connection for tests that need byte-level control over HTTP: sending slowly, reading one
 * response on a kept-alive connection, disconnecting mid-request. Every read is bounded by a socket timeout.
 */
final class RawConnection implements AutoCloseable {

    /** What a read up to the end of the connection saw, and when the connection ended. */
    record Ending(String received, long endedNanos, boolean timedOut) {
    }

    private final Socket socket;
    private final InputStream in;

    RawConnection(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Reads until the server closes the connection (orderly or by reset) or the read timeout passes without a byte.
     */
    Ending readUntilClosed() {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        boolean timedOut = false;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            timedOut = true;
        } catch (SocketException e) {
            // A reset is an ending too: the server closed with bytes of ours unread.
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Ending(received.toString(StandardCharsets.ISO_8859_1), System.nanoTime(), timedOut);
    }

    /** Reads one response (status line, headers, Content-Length body) and returns it whole. */
    String readResponse() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.length() + " bytes of a response: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
