package io.mailproxy.auth.password;

import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.Md5Crypt;

/** {@code $1$salt$hash}: the FreeBSD/glibc MD5-based crypt, salt up to 8 characters. */
final class Md5CryptScheme implements PasswordScheme {

    private static final Pattern FORMAT = Pattern.compile("\\$1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}");

    @Override
    public String id() {
        return "md5-crypt";
    }

    @Override
    public boolean recognises(String stored) {
        return stored.startsWith("$1$");
    }

    @Override
    public Verification verify(byte[] password, String stored) {
        if (!FORMAT.matcher(stored).matches()) {
            return Verification.UNUSABLE;
        }
        return CryptSupport.matchOrMismatch(Md5Crypt.md5Crypt(password, stored), stored);
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public String hash(byte[] password, SecureRandom random) {
        return Md5Crypt.md5Crypt(password, "$1$" + CryptSupport.salt(random, 8));
    }
}
