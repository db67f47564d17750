package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Turns a logged-in client and its backend into a byte relay. */
public final class Relay {
    private Relay() {
    }

    /** Handlers that survive the splice (transport layers, not login-phase logic). */
    private static final Set<String> KEEP = Set.of(HandlerNames.TLS, HandlerNames.TAIL);

    /**
     * Splices {@code client} and {@code backend}: removes the login-phase handlers from both,
     * writes {@code toClient} (the backend's login reply) to the client and {@code toBackend}
     * (what the client pipelined after its login command) to the backend, then relays both ways.
     * Ownership of both buffers passes to this method. Call on the (shared) event loop.
     */
    public static void splice(Channel client, Channel backend, ByteBuf toClient, ByteBuf toBackend,
                              Duration idleTimeout) {
        SessionRecord session = ChannelAttributes.session(client);
        session.outcome(SessionRecord.Outcome.RELAYED);
        stripLoginPhase(client.pipeline());
        stripLoginPhase(backend.pipeline());

        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        client.config().setWriteBufferWaterMark(BackendConnector.WATER_MARK);

        addBeforeTail(client.pipeline(), HandlerNames.IDLE,
                new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
        addBeforeTail(client.pipeline(), HandlerNames.RELAY, new RelayHandler(backend, session, true));
        addBeforeTail(backend.pipeline(), HandlerNames.RELAY, new RelayHandler(client, session, false));

        if (toClient.isReadable()) {
            session.addBytesToClient(toClient.readableBytes());
            client.writeAndFlush(toClient, client.voidPromise());
        } else {
            toClient.release();
        }
        if (toBackend.isReadable()) {
            session.addBytesFromClient(toBackend.readableBytes());
            backend.writeAndFlush(toBackend, backend.voidPromise());
        } else {
            toBackend.release();
        }

        if (client instanceof DuplexChannel duplex && duplex.isInputShutdown()) {
            // The client half-closed while logging in: its pipelined commands are all we will get.
            if (backend instanceof DuplexChannel b) {
                backend.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                        .addListener(f -> b.shutdownOutput());
            }
        } else {
            client.config().setAutoRead(backend.isWritable());
        }
        backend.config().setAutoRead(client.isWritable());
        if (!client.isActive()) {
            RelayHandler.closeOnFlush(backend);
        }
        if (!backend.isActive()) {
            RelayHandler.closeOnFlush(client);
        }
    }

    private static void stripLoginPhase(ChannelPipeline pipeline) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            if (!KEEP.contains(e.getKey())) {
                names.add(e.getKey());
            }
        }
        for (String name : names) {
            if (pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
    }

    private static void addBeforeTail(ChannelPipeline pipeline, String name, ChannelHandler handler) {
        if (pipeline.context(HandlerNames.TAIL) != null) {
            pipeline.addBefore(HandlerNames.TAIL, name, handler);
        } else {
            pipeline.addLast(name, handler);
        }
    }
}
