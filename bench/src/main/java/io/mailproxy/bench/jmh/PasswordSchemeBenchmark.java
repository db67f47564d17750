package io.mailproxy.bench.jmh;

import io.mailproxy.auth.password.PasswordSchemes;
import io.mailproxy.auth.password.Verification;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One password verification per operation for each scheme, with the default cost parameters
 * mailproxy writes ($6$ and $5$ 5000 rounds, bcrypt cost as PasswordSchemes hashes, Argon2id as
 * it hashes); DES for tables still holding it. The hash is made once per trial.
 * Run: {@code java -jar bench/target/mailproxy-bench.jar jmh PasswordScheme}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class PasswordSchemeBenchmark {

    @Param({"sha512-crypt", "sha256-crypt", "md5-crypt", "bcrypt", "argon2id", "des-crypt"})
    public String scheme;

    private String stored;
    private final String password = "correct horse battery";

    @Setup(Level.Trial)
    public void setUp() {
        stored = scheme.equals("des-crypt")
                ? "sa3tHJ3/KuYvI" // crypt("password", "sa"): DES is verify-only
                : PasswordSchemes.hash(scheme, password);
        Verification v = PasswordSchemes.check(scheme.equals("des-crypt") ? "password" : password, stored);
        if (v != Verification.MATCH) {
            throw new IllegalStateException(scheme + " does not verify its own hash: " + v);
        }
    }

    @Benchmark
    public Verification verify() {
        return PasswordSchemes.check(scheme.equals("des-crypt") ? "password" : password, stored);
    }
}
