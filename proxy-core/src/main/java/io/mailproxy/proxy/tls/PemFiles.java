package io.mailproxy.proxy.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates and private keys as operators have them: certificate chains (leaf
 * first), keys in PKCS#8, PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) form,
 * unencrypted or encrypted. Other PEM blocks in the same file are skipped, so one combined file
 * may hold both. Every failure is a {@link TlsConfigException} naming the file and the problem.
 */
public final class PemFiles {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private PemFiles() {
    }

    /** The certificates of {@code file}, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws TlsConfigException {
        List<X509Certificate> certs = new ArrayList<>();
        try (PEMParser parser = new PEMParser(reader(file, "certificate"))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new TlsConfigException("certificate file " + file + ": not a valid PEM certificate (" + e.getMessage() + ")", e);
        }
        if (certs.isEmpty()) {
            throw new TlsConfigException("certificate file " + file + ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    /** The first private key in {@code file}; {@code password} (may be null) decrypts an encrypted one. */
    public static PrivateKey readPrivateKey(Path file, char[] password) throws TlsConfigException {
        try (PEMParser parser = new PEMParser(reader(file, "key"))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair encrypted) {
                    requirePassword(file, password);
                    try {
                        return converter.getPrivateKey(encrypted.decryptKeyPair(
                                new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password)).getPrivateKeyInfo());
                    } catch (IOException | RuntimeException e) {
                        throw wrongPassword(file, e);
                    }
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    requirePassword(file, password);
                    try {
                        InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password);
                        return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
                    } catch (Exception e) {
                        throw wrongPassword(file, e);
                    }
                }
            }
        } catch (TlsConfigException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigException("key file " + file + ": not a valid PEM private key (" + e.getMessage() + ")", e);
        }
        throw new TlsConfigException("key file " + file + ": holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /** The password in {@code file}: its first line (a trailing CR/LF is not part of it). */
    public static char[] readPassword(Path file) throws TlsConfigException {
        byte[] bytes = readBytes(file, "key password");
        String s = new String(bytes, StandardCharsets.UTF_8);
        Arrays.fill(bytes, (byte) 0);
        int end = 0;
        while (end < s.length() && s.charAt(end) != '\n' && s.charAt(end) != '\r') {
            end++;
        }
        return s.substring(0, end).toCharArray();
    }

    /**
     * Checks that {@code key} belongs to {@code certificate}: signs a random challenge with the key
     * and verifies it with the certificate's public key.
     */
    public static void checkKeyMatches(PrivateKey key, X509Certificate certificate, Path keyFile, Path certFile)
            throws TlsConfigException {
        PublicKey publicKey = certificate.getPublicKey();
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
                && !(isEdDsa(key.getAlgorithm()) && isEdDsa(publicKey.getAlgorithm()))) {
            throw mismatch(keyFile, certFile, key.getAlgorithm() + " key, " + publicKey.getAlgorithm() + " certificate");
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return; // an unusual key type: the handshake will tell
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw mismatch(keyFile, certFile, "the key is not the certificate's");
            }
        } catch (GeneralSecurityException e) {
            throw mismatch(keyFile, certFile, e.getMessage());
        }
    }

    private static boolean isEdDsa(String algorithm) {
        return algorithm.equals("EdDSA") || algorithm.equals("Ed25519") || algorithm.equals("Ed448");
    }

    private static TlsConfigException mismatch(Path keyFile, Path certFile, String why) {
        return new TlsConfigException("key file " + keyFile + " does not match the certificate in " + certFile + " (" + why + ")");
    }

    private static void requirePassword(Path file, char[] password) throws TlsConfigException {
        if (password == null) {
            throw new TlsConfigException("key file " + file + ": the key is encrypted; give its password file");
        }
    }

    private static TlsConfigException wrongPassword(Path file, Exception e) {
        return new TlsConfigException("key file " + file + ": cannot decrypt the key (wrong password?)", e);
    }

    private static Reader reader(Path file, String what) throws TlsConfigException {
        return new java.io.StringReader(new String(readBytes(file, what), StandardCharsets.ISO_8859_1));
    }

    static byte[] readBytes(Path file, String what) throws TlsConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(what + " file " + file + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new TlsConfigException(what + " file " + file + ": permission denied");
        } catch (IOException e) {
            throw new TlsConfigException(what + " file " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
