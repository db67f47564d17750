package io.mailproxy.cli;

import io.mailproxy.auth.password.PasswordSchemes;
import java.util.Iterator;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The writable password schemes, for {@code --scheme}. */
final class Schemes implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return PasswordSchemes.writableSchemes().iterator();
    }

    /** The scheme name, normalised; a usage error naming the valid ones otherwise. */
    static String check(CommandSpec spec, String scheme) {
        String s = scheme.trim().toLowerCase(Locale.ROOT);
        if (!PasswordSchemes.writableSchemes().contains(s)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--scheme': '" + scheme
                    + "' (expected one of " + String.join(", ", PasswordSchemes.writableSchemes()) + ")");
        }
        return s;
    }
}
