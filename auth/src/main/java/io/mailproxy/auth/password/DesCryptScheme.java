package io.mailproxy.auth.password;

import java.util.regex.Pattern;
import org.apache.commons.codec.digest.UnixCrypt;

/**
 * Traditional crypt(3) DES: 13 characters, a 2-character salt, only the first 8 bytes of the
 * password count. Verification only: it is far too weak to write.
 */
final class DesCryptScheme implements PasswordScheme {

    private static final Pattern FORMAT = Pattern.compile("[./0-9A-Za-z]{13}");

    @Override
    public String id() {
        return "des-crypt";
    }

    @Override
    public boolean recognises(String stored) {
        return FORMAT.matcher(stored).matches();
    }

    @Override
    public Verification verify(byte[] password, String stored) {
        if (!recognises(stored)) {
            return Verification.UNUSABLE;
        }
        String computed = UnixCrypt.crypt(password, stored.substring(0, 2));
        return CryptSupport.matchOrMismatch(computed, stored);
    }
}
