package io.mailproxy.proxy;

import io.mailproxy.auth.AuthRequest;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * What a client channel's TLS session says, for auth_http's {@code Auth-SSL-*} headers: protocol
 * and cipher suite (JSSE names: {@code TLSv1.3}, {@code TLS_AES_128_GCM_SHA256}; nginx uses
 * OpenSSL's, which differ for TLS 1.2 suites), and when the client presented a certificate:
 * {@code SUCCESS}, subject and issuer (RFC 2253), serial (upper-case hex), SHA-1 fingerprint
 * (lower-case hex), as nginx. Found by the {@link SslHandler} in the pipeline, whatever its name.
 */
final class TlsDetailsReader {
    private TlsDetailsReader() {
    }

    /** The details, or null when the channel has no finished TLS session. */
    static AuthRequest.TlsDetails read(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return null;
        }
        SSLSession s = ssl.engine().getSession();
        String verify = null;
        String subject = null;
        String issuer = null;
        String serial = null;
        String fingerprint = null;
        try {
            Certificate[] peer = s.getPeerCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
                verify = "SUCCESS";
                subject = x.getSubjectX500Principal().getName(X500Principal.RFC2253);
                issuer = x.getIssuerX500Principal().getName(X500Principal.RFC2253);
                serial = x.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
                fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(x.getEncoded()));
            }
        } catch (SSLPeerUnverifiedException e) {
            verify = null; // no client certificate: no certificate headers (nginx without ssl_verify_client)
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            fingerprint = null;
        }
        return new AuthRequest.TlsDetails(s.getProtocol(), s.getCipherSuite(), verify, subject, issuer, serial,
                fingerprint);
    }
}
