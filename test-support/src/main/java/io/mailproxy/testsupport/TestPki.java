package io.mailproxy.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI made at test time (nothing secret is committed): a root CA, an intermediate CA
 * under it, and server certificates issued by the intermediate for loopback names and addresses.
 * The chain a server presents is leaf + intermediate, so a client trusting only the root proves
 * the chain is served whole. EC P-256 keys (fast to make) unless RSA is asked for.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    /** The names every server certificate carries by default: the loopback names and addresses the tests use. */
    public static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "127.0.0.2", "127.0.0.3",
            "127.0.0.4", "127.0.0.5", "::1");

    private final X509Certificate root;
    private final X509Certificate intermediate;
    private final PrivateKey intermediateKey;

    private TestPki(X509Certificate root, X509Certificate intermediate, PrivateKey intermediateKey) {
        this.root = root;
        this.intermediate = intermediate;
        this.intermediateKey = intermediateKey;
    }

    /** A new root and intermediate CA named after {@code name}. */
    public static TestPki create(String name) {
        try {
            KeyPair rootKeys = ec();
            X500Name rootName = new X500Name("CN=" + name + " Root CA,O=mailproxy tests");
            X509Certificate root = sign(rootName, rootKeys, rootName, rootKeys.getPrivate(), true, List.of(), Duration.ofDays(2));
            KeyPair interKeys = ec();
            X500Name interName = new X500Name("CN=" + name + " Intermediate CA,O=mailproxy tests");
            X509Certificate inter = sign(interName, interKeys, rootName, rootKeys.getPrivate(), true, List.of(), Duration.ofDays(2));
            return new TestPki(root, inter, interKeys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate root() {
        return root;
    }

    /** A server certificate for the loopback names and addresses. */
    public Issued issue(String commonName) {
        return issue(commonName, false, LOOPBACK_NAMES);
    }

    /** A server certificate for {@code names} (DNS names or IP literals), EC or RSA. */
    public Issued issue(String commonName, boolean rsa, List<String> names) {
        try {
            KeyPair keys = rsa ? rsa() : ec();
            X509Certificate cert = sign(new X500Name("CN=" + commonName + ",O=mailproxy tests"), keys,
                    X500Name.getInstance(intermediate.getSubjectX500Principal().getEncoded()), intermediateKey, false, names,
                    Duration.ofDays(1));
            return new Issued(cert, keys.getPrivate(), intermediate, root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The root CA as a PEM file (for {@code --backend-ca}). */
    public Path writeRoot(Path file) throws IOException {
        return Files.writeString(file, pem(root), StandardCharsets.US_ASCII);
    }

    /** A client TLS context trusting only this PKI's root. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server certificate with its key and the chain above it. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate intermediate, X509Certificate root) {

        /** Leaf then intermediate, PEM: what a server presents. */
        public Path writeChain(Path file) throws IOException {
            return Files.writeString(file, pem(certificate) + pem(intermediate), StandardCharsets.US_ASCII);
        }

        /** The key as unencrypted PEM (PKCS#8 {@code PRIVATE KEY}, or the traditional form with {@code traditional}). */
        public Path writeKey(Path file, boolean traditional) throws IOException {
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                if (traditional && key.getAlgorithm().equals("EC")) {
                    // SEC1 as openssl writes it: with the curve in the key structure.
                    org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
                    org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
                    org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                            info.getPrivateKeyAlgorithm().getParameters());
                    pw.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
                } else if (traditional) {
                    pw.writeObject(new JcaMiscPEMGenerator(key));
                } else {
                    pw.writeObject(new JcaPKCS8Generator(key, null));
                }
            }
            return Files.writeString(file, w.toString(), StandardCharsets.US_ASCII);
        }

        public Path writeKey(Path file) throws IOException {
            return writeKey(file, false);
        }

        /** The key as encrypted PKCS#8 PEM ({@code ENCRYPTED PRIVATE KEY}, AES-256-CBC). */
        public Path writeEncryptedKey(Path file, char[] password) throws IOException {
            try {
                OutputEncryptor enc = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                        .setProvider(BC).setRandom(new SecureRandom()).setPassword(password).build();
                StringWriter w = new StringWriter();
                try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                    pw.writeObject(new JcaPKCS8Generator(key, enc));
                }
                return Files.writeString(file, w.toString(), StandardCharsets.US_ASCII);
            } catch (org.bouncycastle.operator.OperatorCreationException e) {
                throw new IOException(e);
            }
        }

        /** A server TLS context presenting leaf + intermediate (for scripted TLS backends). */
        public SSLContext serverContext() {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = "test".toCharArray();
                ks.setKeyEntry("server", key, pw, new X509Certificate[] {certificate, intermediate});
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A PKCS#12 key store holding the key with leaf + intermediate (GreenMail's TLS). */
        public Path writeKeyStore(Path file, char[] password) throws IOException {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("server", key, password, new X509Certificate[] {certificate, intermediate});
                try (var out = Files.newOutputStream(file)) {
                    ks.store(out, password);
                }
                return file;
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
    }

    /** One certificate as PEM text. */
    public static String pem(X509Certificate cert) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(cert);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        boolean ca, List<String> names, Duration validity) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, subjectKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        if (ca) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                boolean ip = n.indexOf(':') >= 0 || n.matches("[0-9.]+");
                sans.add(ip ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        }
        String alg = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        ContentSigner signer = new JcaContentSignerBuilder(alg).build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }
}
