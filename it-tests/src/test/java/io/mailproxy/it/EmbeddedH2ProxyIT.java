package io.mailproxy.it;

import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** The end-to-end suite with the accounts in the embedded H2 default store. */
class EmbeddedH2ProxyIT extends ProxyEndToEndTestBase {
    @Override
    JdbcAuthConfig.Builder storeConfig() throws Exception {
        Path dir = Files.createTempDirectory("mailproxy-it-h2");
        return JdbcAuthConfig.embedded(dir);
    }
}
