package io.mailproxy.protocols.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The client's side of a TLS connection to a proxy {@link EmbeddedChannel}: a JDK client engine on
 * an EmbeddedChannel of its own, with bytes pumped between the two until both are quiet. Text
 * sent is encrypted on the way in; {@link #received()} is what the client decrypted.
 */
public final class EmbeddedTlsClient implements AutoCloseable {
    private final EmbeddedChannel server;
    private final EmbeddedChannel client;
    private final SslHandler ssl;

    /** Starts the handshake at once (call after the cleartext STARTTLS OK was read, or at connect for implicit TLS). */
    public EmbeddedTlsClient(EmbeddedChannel server, SSLContext trusting) {
        this.server = server;
        SSLEngine engine = trusting.createSSLEngine("localhost", 993);
        engine.setUseClientMode(true);
        this.ssl = new SslHandler(engine);
        this.client = new EmbeddedChannel(ssl);
        pump();
    }

    /** Whether the handshake finished successfully. */
    public boolean handshakeDone() {
        return ssl.handshakeFuture().isSuccess();
    }

    /** Why the handshake failed; null while it did not. */
    public Throwable handshakeFailure() {
        return ssl.handshakeFuture().cause();
    }

    public String protocol() {
        return ssl.engine().getSession().getProtocol();
    }

    /** Sends {@code ascii} over TLS in one record, then pumps. */
    public EmbeddedTlsClient send(String ascii) {
        client.writeOutbound(Unpooled.copiedBuffer(ascii, StandardCharsets.ISO_8859_1));
        pump();
        return this;
    }

    /** What the client decrypted since the last call. */
    public String received() {
        pump();
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = client.readInbound()) != null) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    /** Moves bytes both ways until neither side has anything more to say. */
    public void pump() {
        boolean moved;
        do {
            moved = false;
            server.runPendingTasks();
            client.runPendingTasks();
            Object m;
            while ((m = client.readOutbound()) != null) {
                server.writeInbound(m);
                moved = true;
            }
            server.runPendingTasks();
            while ((m = server.readOutbound()) != null) {
                if (client.isOpen()) {
                    client.writeInbound(m);
                } else {
                    io.netty.util.ReferenceCountUtil.release(m);
                }
                moved = true;
            }
        } while (moved);
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
    }
}
