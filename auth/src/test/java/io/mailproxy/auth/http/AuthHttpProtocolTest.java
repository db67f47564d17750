package io.mailproxy.auth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.AddressText;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthHttpProtocolTest {

    private static AuthRequest imap(String user, String password) {
        return new AuthRequest(Protocol.IMAP, user, password, "LOGIN", new InetSocketAddress("192.0.2.7", 5555), 1, false);
    }

    @Test
    void escapeShouldEncodeSpacePercentAndControlBytesLikeNginx() {
        assertThat(AuthHttpProtocol.escape("alice")).isEqualTo("alice");
        assertThat(AuthHttpProtocol.escape("a b%c\t\r\n\0")).isEqualTo("a%20b%25c%09%0D%0A%00");
        assertThat(AuthHttpProtocol.escape("\"quoted\"\\+&=?/:@")).isEqualTo("\"quoted\"\\+&=?/:@");
        assertThat(AuthHttpProtocol.escape("\u007f")).as("DEL stays, as in nginx").isEqualTo("\u007f");
        assertThat(AuthHttpProtocol.escape("p\u00e4ss")).as("UTF-8 bytes, raw, one char per byte")
                .isEqualTo("p\u00c3\u00a4ss");
        assertThat(AuthHttpProtocol.escape("")).isEmpty();
    }

    @Test
    void methodShouldBePlainForEveryCleartextMechanism() {
        assertThat(AuthHttpProtocol.method("USER")).isEqualTo("plain");
        assertThat(AuthHttpProtocol.method("LOGIN")).isEqualTo("plain");
        assertThat(AuthHttpProtocol.method("PLAIN")).isEqualTo("plain");
        assertThat(AuthHttpProtocol.method("CRAM-MD5")).isEqualTo("cram-md5");
        assertThat(AuthHttpProtocol.method("APOP")).isEqualTo("apop");
    }

    @Test
    void requestHeadersShouldFollowNginxOrderWithProxyAndTlsHeadersWhenPresent() {
        AuthRequest r = new AuthRequest(Protocol.POP3, "bob", "pw", "USER",
                new InetSocketAddress("2001:db8::7", 40000), 3, true,
                new AuthRequest.ProxiedAddresses(new InetSocketAddress("2001:db8::7", 40000),
                        new InetSocketAddress("198.51.100.1", 995)),
                new AuthRequest.TlsDetails("TLSv1.3", "TLS_AES_128_GCM_SHA256", null, null, null, null, null));
        List<String> lines = AuthHttpProtocol.requestHeaders(r, List.of(new AuthHttpConfig.Header("X-Key", "k")))
                .stream().map(h -> h.name() + ": " + h.value()).toList();
        assertThat(lines).containsExactly(
                "Auth-Method: plain",
                "Auth-User: bob",
                "Auth-Pass: pw",
                "Auth-Protocol: pop3",
                "Auth-Login-Attempt: 3",
                "Client-IP: 2001:db8::7",
                "Proxy-Protocol-Addr: 2001:db8::7",
                "Proxy-Protocol-Port: 40000",
                "Proxy-Protocol-Server-Addr: 198.51.100.1",
                "Proxy-Protocol-Server-Port: 995",
                "Auth-SSL: on",
                "Auth-SSL-Protocol: TLSv1.3",
                "Auth-SSL-Cipher: TLS_AES_128_GCM_SHA256",
                "X-Key: k");
    }

    @Test
    void addressTextShouldUseRfc5952ShortForm() throws Exception {
        assertThat(AddressText.ip(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(AddressText.ip(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(AddressText.ip(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(AddressText.ip(InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(AddressText.ip(InetAddress.getByName("fe80:0:0:0:0:0:0:0"))).isEqualTo("fe80::");
        assertThat(AddressText.ip(InetAddress.getByName("192.0.2.1"))).isEqualTo("192.0.2.1");
        assertThat(AddressText.ip(InetAddress.getByName("::ffff:192.0.2.1"))).isEqualTo("192.0.2.1");
    }

    @Test
    void okShouldAcceptWithServerPortAndTheClientsCredentials() {
        AuthOutcome o = final_(Map.of("Auth-Status", List.of("OK"), "Auth-Server", List.of("192.168.1.22"),
                "Auth-Port", List.of("143")));
        assertThat(o).isEqualTo(new AuthOutcome.Accepted(BackendRoute.of("192.168.1.22", 143), "alice", "pw"));
    }

    @Test
    void okShouldTakeHostNamesAndIpv6AndOverridesForTheBackendLogin() {
        assertThat(final_(Map.of("auth-status", List.of("OK"), "auth-server", List.of("mail.example"),
                "auth-port", List.of("1143"), "auth-user", List.of("alice@example"), "auth-pass", List.of("master"))))
                .isEqualTo(new AuthOutcome.Accepted(BackendRoute.of("mail.example", 1143), "alice@example", "master"));
        assertThat(final_(Map.of("Auth-Status", List.of("OK"), "Auth-Server", List.of("::1"), "Auth-Port", List.of("143"))))
                .isEqualTo(new AuthOutcome.Accepted(BackendRoute.of("::1", 143), "alice", "pw"));
    }

    @Test
    void okWithoutUsableServerOrPortShouldBeUnavailable() {
        assertThat(final_(Map.of("Auth-Status", List.of("OK"), "Auth-Server", List.of("10.0.0.1"))))
                .isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(final_(Map.of("Auth-Status", List.of("OK"), "Auth-Port", List.of("143"))))
                .isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(final_(Map.of("Auth-Status", List.of("OK"), "Auth-Server", List.of("10.0.0.1"), "Auth-Port", List.of("0"))))
                .isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(final_(Map.of("Auth-Status", List.of("OK"), "Auth-Server", List.of("10.0.0.1:143"), "Auth-Port", List.of("143"))))
                .isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(final_(Map.of("Auth-Status", List.of("OK"), "Auth-Server", List.of("bad host!"), "Auth-Port", List.of("143"))))
                .isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(final_(Map.of("Auth-Server", List.of("10.0.0.1"), "Auth-Port", List.of("143"))))
                .as("no Auth-Status").isInstanceOf(AuthOutcome.Unavailable.class);
    }

    @Test
    void errorTextWithoutWaitShouldRejectWithThatTextAndClose() {
        assertThat(final_(Map.of("Auth-Status", List.of("Invalid login or password"))))
                .isEqualTo(new AuthOutcome.Rejected("auth_http: Invalid login or password", Duration.ZERO,
                        "Invalid login or password", null, true));
    }

    @Test
    void errorTextWithWaitShouldRejectAfterTheWaitAndLetTheClientRetry() {
        assertThat(final_(Map.of("Auth-Status", List.of("Invalid login or password"), "Auth-Wait", List.of("3"),
                "Auth-Error-Code", List.of("535 5.7.8"))))
                .isEqualTo(new AuthOutcome.Rejected("auth_http: Invalid login or password", Duration.ofSeconds(3),
                        "Invalid login or password", "535 5.7.8", false));
        assertThat(final_(Map.of("Auth-Status", List.of("no"), "Auth-Wait", List.of("x3"))))
                .as("a non-number Auth-Wait is ignored, as by nginx")
                .isEqualTo(new AuthOutcome.Rejected("auth_http: no", Duration.ZERO, "no", null, true));
    }

    @Test
    void errorTextShouldBeDecodedAsUtf8AndLoseControlCharacters() {
        String latin1 = new String("Falsches Passw\u00f6rt\u0007".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        AuthOutcome.Rejected r = (AuthOutcome.Rejected) final_(Map.of("Auth-Status", List.of(latin1)));
        assertThat(r.clientMessage()).isEqualTo("Falsches Passw\u00f6rt");
    }

    @Test
    void waitShouldAskAgainAfterAuthWait() {
        AuthHttpProtocol.Answer a = AuthHttpProtocol.answer(imap("alice", "pw"),
                Map.of("Auth-Status", List.of("WAIT"), "Auth-Wait", List.of("2")));
        assertThat(a).isEqualTo(new AuthHttpProtocol.Answer.Wait(Duration.ofSeconds(2)));
        assertThat(AuthHttpProtocol.answer(imap("alice", "pw"), Map.of("Auth-Status", List.of("WAIT"))))
                .isEqualTo(new AuthHttpProtocol.Answer.Wait(Duration.ZERO));
    }

    @Test
    void okIsCaseSensitiveAsInNginx() {
        assertThat(final_(Map.of("Auth-Status", List.of("ok"), "Auth-Server", List.of("10.0.0.1"), "Auth-Port", List.of("143"))))
                .isInstanceOf(AuthOutcome.Rejected.class);
    }

    @Test
    void configShouldParseNginxStyleUrlsAndHeaders() {
        assertThat(AuthHttpConfig.parseUrl("127.0.0.1:80/auth").toString()).isEqualTo("http://127.0.0.1:80/auth");
        assertThat(AuthHttpConfig.parseUrl("http://auth.example").toString()).isEqualTo("http://auth.example/");
        assertThat(AuthHttpConfig.parseUrl("https://auth.example:8443/a?x=1").toString())
                .isEqualTo("https://auth.example:8443/a?x=1");
        assertThatThrownBy(() -> AuthHttpConfig.parseUrl("unix:/run/auth.sock")).hasMessageContaining("unix");
        assertThatThrownBy(() -> AuthHttpConfig.parseUrl("ftp://x/")).hasMessageContaining("http");
        assertThat(AuthHttpConfig.parseHeader("X-Auth-Key: secret value")).isEqualTo(
                new AuthHttpConfig.Header("X-Auth-Key", "secret value"));
        assertThatThrownBy(() -> AuthHttpConfig.parseHeader("novalue")).hasMessageContaining("NAME:VALUE");
        assertThatThrownBy(() -> AuthHttpConfig.parseHeader("Host: x")).hasMessageContaining("set by mailproxy");
        assertThatThrownBy(() -> AuthHttpConfig.parseHeader("Bad Name: x")).hasMessageContaining("token");
    }

    private static AuthOutcome final_(Map<String, List<String>> headers) {
        AuthHttpProtocol.Answer a = AuthHttpProtocol.answer(imap("alice", "pw"), headers);
        assertThat(a).isInstanceOf(AuthHttpProtocol.Answer.Final.class);
        return ((AuthHttpProtocol.Answer.Final) a).outcome();
    }
}
