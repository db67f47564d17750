package io.mailproxy.cli;

import io.mailproxy.auth.password.PasswordSchemes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailproxy hash}: a password hash for operators who fill the table by SQL. */
@Command(name = "hash",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Print the hash of a password.",
        description = {
            "Reads a password (one line on standard input, or prompted for without echo on a "
                    + "terminal) and prints its hash, for filling mailaccounts.password by SQL.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  mailproxy hash                          (prompts twice, prints $6$...)",
            "  printf '%%s\\n' \"$PW\" | mailproxy hash --scheme bcrypt",
            "  H=$(mailproxy hash) && mysql mail -e \\",
            "    \"update mailaccounts set password='$H' where username='alice'\""})
final class HashCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scheme", paramLabel = "SCHEME", defaultValue = PasswordSchemes.DEFAULT_SCHEME,
            completionCandidates = Schemes.class,
            description = "sha512-crypt ($6$, default), sha256-crypt ($5$), md5-crypt ($1$), bcrypt ($2b$), argon2id.")
    String scheme;

    @Override
    public Integer call() {
        Io io = Commands.io(spec);
        String checkedScheme = Schemes.check(spec, scheme);
        String password = PasswordInput.read(io, "Password", true);
        io.out().println(PasswordSchemes.hash(checkedScheme, password));
        io.out().flush();
        return ExitCodes.OK;
    }
}
