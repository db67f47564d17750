package io.mailproxy.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.testsupport.TestPki;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServerTlsContextTest {
    private static final TestPki PKI = TestPki.create("context-test");

    @TempDir
    Path dir;

    private ServerTlsConfig files(TestPki.Issued issued) throws Exception {
        return ServerTlsConfig.of(issued.writeChain(dir.resolve("chain.pem")), issued.writeKey(dir.resolve("key.pem")));
    }

    @Test
    void autoShouldPickOpenSslWhenTheNativeLibraryLoads() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative-boringssl-static for linux-x86_64 loads").isTrue();
        try (ServerTlsContext tls = ServerTlsContext.load(files(PKI.issue("auto")))) {
            assertThat(tls.provider()).isEqualTo(SslProvider.OPENSSL);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"OPENSSL", "JDK"})
    void loadShouldAcceptPkcs8TraditionalAndEncryptedKeysWhateverTheProvider(TlsProvider provider) throws Exception {
        TestPki.Issued ec = PKI.issue("ec");
        TestPki.Issued rsa = PKI.issue("rsa", true, TestPki.LOOPBACK_NAMES);
        Path chain = ec.writeChain(dir.resolve("ec.pem"));
        Path rsaChain = rsa.writeChain(dir.resolve("rsa.pem"));
        Path password = Files.writeString(dir.resolve("pw"), "s3cret pass\n");

        List<ServerTlsConfig> configs = List.of(
                ServerTlsConfig.of(chain, ec.writeKey(dir.resolve("ec-pkcs8.pem"), false)),
                ServerTlsConfig.of(chain, ec.writeKey(dir.resolve("ec-sec1.pem"), true)),
                ServerTlsConfig.of(rsaChain, rsa.writeKey(dir.resolve("rsa-pkcs1.pem"), true)),
                ServerTlsConfig.of(chain, ec.writeEncryptedKey(dir.resolve("ec-enc.pem"), "s3cret pass".toCharArray()))
                        .withKeyPasswordFile(password));
        for (ServerTlsConfig c : configs) {
            try (ServerTlsContext tls = ServerTlsContext.load(c.withProvider(provider))) {
                assertThat(tls.provider()).isEqualTo(provider == TlsProvider.JDK ? SslProvider.JDK : SslProvider.OPENSSL);
                assertThat(tls.certificate()).as(c.privateKey().toString())
                        .isEqualTo(c.certificateChain().equals(chain) ? ec.certificate() : rsa.certificate());
            }
        }
    }

    @Test
    void loadShouldSayWhichFilesDoNotMatchWhenTheKeyIsAnotherCertificates() throws Exception {
        Path chain = PKI.issue("one").writeChain(dir.resolve("one.pem"));
        Path otherKey = PKI.issue("two").writeKey(dir.resolve("two-key.pem"));
        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(chain, otherKey)))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("key file " + otherKey + " does not match the certificate in " + chain);
    }

    @Test
    void loadShouldSayWhatIsWrongWithUnusableFiles() throws Exception {
        TestPki.Issued issued = PKI.issue("files");
        Path chain = issued.writeChain(dir.resolve("chain.pem"));
        Path key = issued.writeKey(dir.resolve("key.pem"));
        Path missing = dir.resolve("missing.pem");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Path encrypted = issued.writeEncryptedKey(dir.resolve("enc.pem"), "right".toCharArray());
        Path wrongPassword = Files.writeString(dir.resolve("wrong"), "wrong\n");

        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(missing, key)))
                .hasMessage("certificate file " + missing + ": no such file");
        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(garbage, key)))
                .hasMessageContaining("certificate file " + garbage + ": holds no PEM certificate");
        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(chain, chain)))
                .hasMessageContaining("key file " + chain + ": holds no PEM private key");
        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(chain, encrypted)))
                .hasMessageContaining("the key is encrypted; give its password file");
        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(chain, encrypted).withKeyPasswordFile(wrongPassword)))
                .hasMessageContaining("cannot decrypt the key (wrong password?)");
        assertThatThrownBy(() -> ServerTlsContext.load(ServerTlsConfig.of(chain, key).withCiphers(List.of("NO_SUCH_CIPHER"))))
                .isInstanceOf(TlsConfigException.class).hasMessageContaining("NO_SUCH_CIPHER");
        assertThatThrownBy(() -> ServerTlsConfig.of(chain, key).withProtocols(List.of("SSLv3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown TLS protocol 'SSLv3'");
    }

    @Test
    void loadShouldAcceptOneFileHoldingBothChainAndKey() throws Exception {
        TestPki.Issued issued = PKI.issue("combined");
        Path chain = issued.writeChain(dir.resolve("chain.pem"));
        Path key = issued.writeKey(dir.resolve("key.pem"));
        Path combined = Files.writeString(dir.resolve("combined.pem"),
                Files.readString(key) + Files.readString(chain), StandardCharsets.US_ASCII);
        try (ServerTlsContext tls = ServerTlsContext.load(ServerTlsConfig.of(combined, combined))) {
            assertThat(tls.certificate()).isEqualTo(issued.certificate());
        }
    }

    @Test
    void reloadIfChangedShouldSwapOnlyForChangedFilesAndKeepTheOldCertificateWhenTheNewOneIsBroken() throws Exception {
        TestPki.Issued first = PKI.issue("first");
        ServerTlsConfig config = files(first);
        try (ServerTlsContext tls = ServerTlsContext.load(config)) {
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(tls.certificate()).isEqualTo(first.certificate());

            TestPki.Issued second = PKI.issue("second");
            second.writeChain(config.certificateChain());
            second.writeKey(config.privateKey());
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(tls.certificate()).isEqualTo(second.certificate());
            assertThat(tls.reloadIfChanged()).isFalse();

            // Half a renewal: the new certificate is there, its key not yet.
            TestPki.Issued third = PKI.issue("third");
            third.writeChain(config.certificateChain());
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(tls.certificate()).isEqualTo(second.certificate());
            third.writeKey(config.privateKey());
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(tls.certificate()).isEqualTo(third.certificate());

            assertThat(tls.reload()).as("a forced reload (SIGHUP) of unchanged files").isTrue();
            assertThat(tls.certificate()).isEqualTo(third.certificate());
        }
    }

    @Test
    void handshakeShouldTimeOutAndCloseWhenTheClientSendsNothing() throws Exception {
        try (ServerTlsContext tls = ServerTlsContext.load(files(PKI.issue("timeout")).withHandshakeTimeout(Duration.ofSeconds(10)))) {
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.freezeTime();
            SslHandler ssl = tls.newHandler(ch.alloc(), false);
            ch.pipeline().addLast(ssl);
            ch.advanceTimeBy(9, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            assertThat(ch.isOpen()).isTrue();
            ch.advanceTimeBy(2, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            assertThat(ch.isOpen()).isFalse();
            assertThat(ssl.handshakeFuture().cause()).hasMessageContaining("handshake timed out");
            ch.finishAndReleaseAll();
        }
    }
}
