package io.mailproxy.proxy;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/** Small TLS helpers shared by the client and backend pipelines. */
public final class TlsHandshakes {
    private TlsHandshakes() {
    }

    /**
     * Records the negotiated protocol and cipher in {@code session} when {@code ssl}'s handshake
     * succeeds, and {@link SessionRecord.Outcome#TLS_FAILED} when it fails (bad client hello,
     * timeout) before anything else was decided.
     */
    public static void recordClient(SslHandler ssl, SessionRecord session) {
        if (session == null) {
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                SSLSession s = ssl.engine().getSession();
                session.tls(s.getProtocol(), s.getCipherSuite());
            } else if (session.outcome() == SessionRecord.Outcome.CLIENT_CLOSED) {
                session.outcome(SessionRecord.Outcome.TLS_FAILED);
            }
        });
    }

    /** Whether {@code cause} is a TLS failure (handshake, bad record, not TLS at all): the peer's problem, not ours. */
    public static boolean isTlsFailure(Throwable cause) {
        Throwable t = cause;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof SSLException || t instanceof NotSslRecordException) {
                return true;
            }
            if (!(t instanceof DecoderException)) {
                return false;
            }
        }
        return false;
    }
}
