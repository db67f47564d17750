package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.TlsMode;
import io.mailproxy.testsupport.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's TLS flags: listeners, --starttls only, and errors a person can act on. */
class TlsServeTest {
    private static final TestPki PKI = TestPki.create("cli-test");

    @TempDir
    Path tmp;
    private Path cert;
    private Path key;

    @BeforeEach
    void files() throws Exception {
        TestPki.Issued issued = PKI.issue("mail.example");
        cert = issued.writeChain(tmp.resolve("fullchain.pem"));
        key = issued.writeKey(tmp.resolve("privkey.pem"));
    }

    @Test
    void serveShouldListenWithImplicitTlsAndRequireStartTlsOnThePlainListeners() throws Exception {
        CliRunner cli = new CliRunner();
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> cli.exec("serve",
                "--pop3", "127.0.0.1:0", "--imap", "127.0.0.1:0", "--pop3s", "127.0.0.1:0", "--imaps", "127.0.0.1:0",
                "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--starttls", "only",
                "--data-dir", tmp.resolve("data").toString(), "--shutdown-grace", "1s"));
        try {
            List<BoundListener> bound = cli.started().get(60, TimeUnit.SECONDS);
            assertThat(bound).extracting(BoundListener::scheme).containsExactly("pop3", "imap", "pop3s", "imaps");
            assertThat(bound).extracting(BoundListener::tls).containsExactly(TlsMode.STARTTLS_REQUIRED,
                    TlsMode.STARTTLS_REQUIRED, TlsMode.IMPLICIT, TlsMode.IMPLICIT);

            try (Socket s = new Socket("127.0.0.1", bound.get(1).port())) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).contains("STARTTLS LOGINDISABLED").doesNotContain("AUTH=");
                OutputStream out = s.getOutputStream();
                out.write("a LOGIN alice secret\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("a NO [PRIVACYREQUIRED] Plaintext login disallowed: use STARTTLS first.");
            }
            try (SSLSocket s = (SSLSocket) PKI.clientContext().getSocketFactory().createSocket("127.0.0.1", bound.get(3).port())) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).contains("AUTH=PLAIN").doesNotContain("STARTTLS").doesNotContain("LOGINDISABLED");
            }
            try (SSLSocket s = (SSLSocket) PKI.clientContext().getSocketFactory().createSocket("127.0.0.1", bound.get(2).port())) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("+OK POP3 ready");
            }
        } finally {
            cli.stop();
        }
        CliRunner.Result r = run.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void aKeyThatIsNotTheCertificatesShouldExitOneSayingWhichFiles() throws Exception {
        Path otherKey = PKI.issue("other").writeKey(tmp.resolve("other.pem"));
        CliRunner.Result r = CliRunner.run("serve", "--tls-cert", cert.toString(), "--tls-key", otherKey.toString(),
                "--data-dir", tmp.resolve("data").toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: TLS: key file " + otherKey + " does not match the certificate in " + cert);
    }

    @Test
    void anUnreadableCertificateShouldExitOneSayingWhy() throws Exception {
        Path missing = tmp.resolve("missing.pem");
        CliRunner.Result r = CliRunner.run("serve", "--tls-cert", missing.toString(), "--tls-key", key.toString(),
                "--data-dir", tmp.resolve("data").toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: TLS: certificate file " + missing + ": no such file");

        Path encrypted = PKI.issue("enc").writeEncryptedKey(tmp.resolve("enc.pem"), "pw".toCharArray());
        r = CliRunner.run("serve", "--tls-cert", cert.toString(), "--tls-key", encrypted.toString(),
                "--data-dir", tmp.resolve("data").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("the key is encrypted; give its password file");
    }

    @Test
    void tlsFlagsWithoutWhatTheyNeedShouldBeUsageErrors() {
        String data = tmp.resolve("data").toString();
        assertUsage(List.of("serve", "--tls-cert", cert.toString(), "--data-dir", data), "--tls-cert needs --tls-key");
        assertUsage(List.of("serve", "--imaps", "127.0.0.1:0", "--data-dir", data), "--imaps needs --tls-cert and --tls-key");
        assertUsage(List.of("serve", "--starttls", "only", "--data-dir", data), "--starttls only needs --tls-cert and --tls-key");
        assertUsage(List.of("serve", "--backend-ca", cert.toString(), "--data-dir", data),
                "--backend-ca needs --backend-tls on or starttls");
        assertUsage(List.of("serve", "--starttls", "sometimes", "--data-dir", data), "--starttls");
        assertUsage(List.of("serve", "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--tls-protocols", "SSLv3",
                "--data-dir", data), "unknown TLS protocol 'SSLv3'");
    }

    @Test
    void aBackendCaFileThatIsMissingShouldExitOne() {
        Path missing = tmp.resolve("no-ca.pem");
        CliRunner.Result r = CliRunner.run("serve", "--backend-tls", "on", "--backend-ca", missing.toString(),
                "--data-dir", tmp.resolve("data").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: TLS to the backends: certificate file " + missing + ": no such file");
    }

    @Test
    void anEncryptedKeyShouldLoadWithItsPasswordFile() throws Exception {
        TestPki.Issued issued = PKI.issue("encrypted");
        Path chain = issued.writeChain(tmp.resolve("enc-chain.pem"));
        Path encrypted = issued.writeEncryptedKey(tmp.resolve("enc-key.pem"), "correct horse".toCharArray());
        Path password = Files.writeString(tmp.resolve("key.pass"), "correct horse\n");
        CliRunner cli = new CliRunner();
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> cli.exec("serve",
                "--pop3", "off", "--imap", "off", "--pop3s", "off", "--imaps", "127.0.0.1:0",
                "--tls-cert", chain.toString(), "--tls-key", encrypted.toString(),
                "--tls-key-password-file", password.toString(), "--tls-protocols", "TLSv1.3",
                "--data-dir", tmp.resolve("data").toString(), "--shutdown-grace", "1s"));
        try {
            List<BoundListener> bound = cli.started().get(60, TimeUnit.SECONDS);
            try (SSLSocket s = (SSLSocket) PKI.clientContext().getSocketFactory().createSocket("127.0.0.1", bound.get(0).port())) {
                s.startHandshake();
                assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(issued.certificate());
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
        } finally {
            cli.stop();
        }
        assertThat(run.get(60, TimeUnit.SECONDS).code()).isZero();
    }

    private static void assertUsage(List<String> args, String message) {
        CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
        assertThat(r.code()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).as(String.join(" ", args)).contains(message);
    }
}
