package io.mailproxy.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.testsupport.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar with a certificate: SIGHUP makes new connections get the renewed one while an open one keeps working. */
class TlsReloadProcessIT {
    private static final TestPki PKI = TestPki.create("jar-reload");

    @TempDir
    Path tmp;

    @Test
    void sighupShouldServeTheRenewedCertificateToNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
        TestPki.Issued first = PKI.issue("first");
        Path chain = first.writeChain(tmp.resolve("fullchain.pem"));
        Path key = first.writeKey(tmp.resolve("privkey.pem"));
        Path err = tmp.resolve("stderr.txt");
        Process p = MailproxyJar.command("serve", "--pop3", "off", "--imap", "off", "--pop3s", "off",
                        "--imaps", "127.0.0.1:0", "--tls-cert", chain.toString(), "--tls-key", key.toString(),
                        "--data-dir", tmp.resolve("data").toString(), "--shutdown-grace", "1s")
                .redirectOutput(tmp.resolve("stdout.txt").toFile()).redirectError(err.toFile()).start();
        try {
            AtomicReference<Integer> port = new AtomicReference<>();
            Pattern listening = Pattern.compile("listening imaps on 127\\.0\\.0\\.1:(\\d+)");
            Awaitility.await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
                String log = Files.readString(err);
                Matcher m = listening.matcher(log);
                if (m.find()) {
                    port.set(Integer.parseInt(m.group(1)));
                }
                return port.get() != null && log.contains("and on SIGHUP");
            });

            try (SSLSocket old = connect(port.get())) {
                BufferedReader oldIn = reader(old);
                assertThat(oldIn.readLine()).startsWith("* OK [CAPABILITY ");
                assertThat(served(old)).isEqualTo(first.certificate().getSerialNumber());

                TestPki.Issued renewed = PKI.issue("renewed");
                renewed.writeChain(chain);
                renewed.writeKey(key);
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start();
                assertThat(kill.waitFor()).isZero();

                try {
                    Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                        try (SSLSocket fresh = connect(port.get())) {
                            assertThat(served(fresh)).isEqualTo(renewed.certificate().getSerialNumber());
                        }
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError(e.getMessage() + "\nmailproxy's stderr:\n" + Files.readString(err), e);
                }
                old.getOutputStream().write("a NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                old.getOutputStream().flush();
                assertThat(oldIn.readLine()).isEqualTo("a OK NOOP completed");
                assertThat(served(old)).isEqualTo(first.certificate().getSerialNumber());
            }
            assertThat(Files.readString(err)).contains("SIGHUP received", "TLS certificate reloaded");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    }

    private static SSLSocket connect(int port) throws Exception {
        SSLSocket s = (SSLSocket) PKI.clientContext().getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        s.startHandshake();
        return s;
    }

    private static BigInteger served(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static BufferedReader reader(SSLSocket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }
}
