package io.mailproxy.bench.jmh;

import io.mailproxy.auth.password.PasswordSchemes;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SHA-crypt verification (5000 rounds): commons-codec's {@code Sha2Crypt}, which mailproxy used
 * before, against mailproxy's own (one digest per hash, no allocation per round) as reached
 * through {@link PasswordSchemes#check}. Run: {@code java -jar mailproxy-bench.jar jmh ShaCrypt}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class ShaCryptBenchmark {

    @Param({"$6$", "$5$"})
    public String prefix;

    private final String password = "correct horse battery";
    private final byte[] passwordBytes = password.getBytes(StandardCharsets.UTF_8);
    private String stored;

    @Setup
    public void setUp() {
        stored = prefix.equals("$6$") ? Sha2Crypt.sha512Crypt(passwordBytes, "$6$0123456789abcdef")
                : Sha2Crypt.sha256Crypt(passwordBytes, "$5$0123456789abcdef");
        if (!PasswordSchemes.verify(password, stored)) {
            throw new IllegalStateException("the two implementations disagree on " + stored);
        }
    }

    @Benchmark
    public String commonsCodec() {
        return prefix.equals("$6$") ? Sha2Crypt.sha512Crypt(passwordBytes, stored) : Sha2Crypt.sha256Crypt(passwordBytes, stored);
    }

    @Benchmark
    public boolean mailproxy() {
        return PasswordSchemes.verify(password, stored);
    }
}
