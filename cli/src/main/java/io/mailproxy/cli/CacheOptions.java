package io.mailproxy.cli;

import io.mailproxy.auth.cache.AuthCacheConfig;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The auth cache of serve (the auth module's CachingAuthenticator, like Dovecot's auth_cache_ttl). */
final class CacheOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--auth-cache-ttl", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.DurationConverter.class,
            description = "A successful login is remembered this long (with a keyed digest of its password, never the "
                    + "password): the same user and password again skip the database and the hash check. A password "
                    + "changed in the table takes effect within this time. 0 turns the cache off. Default: ${DEFAULT-VALUE}. "
                    + "SIGUSR1 (mailproxy cache flush --pid PID) empties it.")
    Duration ttl;

    @Option(names = "--auth-cache-negative-ttl", paramLabel = "DURATION", defaultValue = "5s",
            converter = Converters.DurationConverter.class,
            description = "A failed user+password pair is remembered this long (at most --auth-cache-ttl); 0: failures "
                    + "are not cached. Default: ${DEFAULT-VALUE}.")
    Duration negativeTtl;

    @Option(names = "--auth-cache-size", paramLabel = "N", defaultValue = "100000",
            description = "At most N successes and N failures are kept, least used first out. Default: ${DEFAULT-VALUE}.")
    int size;

    AuthCacheConfig config() {
        try {
            return new AuthCacheConfig(ttl, negativeTtl, size);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
