package io.mailproxy.cli;

import io.mailproxy.auth.http.AuthHttpConfig;
import io.mailproxy.auth.http.HttpAuthenticator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** nginx's auth_http as the auth backend instead of the account database (serve). */
final class AuthHttpOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--auth-http", paramLabel = "URL",
            description = "Ask this nginx-style auth_http server instead of the account database (nginx auth_http), "
                    + "e.g. http://127.0.0.1:80/auth. The request and reply headers are nginx's; --auth-timeout is "
                    + "auth_http_timeout.")
    String url;

    @Option(names = "--auth-http-header", paramLabel = "NAME:VALUE",
            description = "Extra request header for the auth_http server (nginx auth_http_header); repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--auth-http-max-requests", paramLabel = "N", defaultValue = "" + AuthHttpConfig.DEFAULT_MAX_IN_FLIGHT,
            description = "auth_http requests under way at once (connections kept open for reuse); with "
                    + AuthHttpConfig.DEFAULT_QUEUE_CAPACITY + " more waiting, one more login gets the temporary-failure "
                    + "reply at once. Default: ${DEFAULT-VALUE}.")
    int maxRequests;

    boolean enabled() {
        return url != null && !url.isBlank();
    }

    /** The config; a bad URL, header or number is a usage error. */
    AuthHttpConfig config(Duration timeout) {
        try {
            List<AuthHttpConfig.Header> parsed = new ArrayList<>();
            for (String h : headers) {
                parsed.add(AuthHttpConfig.parseHeader(h));
            }
            if (maxRequests < 1 || maxRequests > 1000) {
                throw new IllegalArgumentException("Invalid value for option '--auth-http-max-requests': " + maxRequests
                        + " (expected 1..1000)");
            }
            return AuthHttpConfig.of(url).withHeaders(parsed).withTimeouts(timeout, timeout).withMaxInFlight(maxRequests);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().startsWith("Invalid value") ? e.getMessage()
                    : "Invalid value for option '--auth-http" + (e.getMessage().contains("header") ? "-header" : "")
                            + "': " + e.getMessage());
        }
    }

    HttpAuthenticator open(Duration timeout) {
        return new HttpAuthenticator(config(timeout));
    }
}
