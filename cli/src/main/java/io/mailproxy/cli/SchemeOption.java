package io.mailproxy.cli;

import io.mailproxy.auth.password.PasswordSchemes;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --scheme} of the commands that write an account's password ({@code users add}, {@code users passwd}). */
final class SchemeOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--scheme", paramLabel = "SCHEME", defaultValue = PasswordSchemes.DEFAULT_SCHEME,
            completionCandidates = Schemes.class,
            description = "Password hash: sha512-crypt (default), sha256-crypt, md5-crypt, bcrypt, argon2id.")
    String scheme;

    /** The scheme name, normalised; a usage error naming the valid ones otherwise. */
    String checked() {
        return Schemes.check(spec, scheme);
    }
}
