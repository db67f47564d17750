package io.mailproxy.it;

import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.it.support.MariaDb;
import org.junit.jupiter.api.AfterAll;

/** The end-to-end suite with the accounts in the real MariaDB (the seed's MySQL setup). */
class MariaDbProxyIT extends ProxyEndToEndTestBase {
    private MariaDb db;

    @Override
    JdbcAuthConfig.Builder storeConfig() throws Exception {
        db = new MariaDb();
        return JdbcAuthConfig.builder(db.jdbcUrl()).user(MariaDb.USER).password(MariaDb.PASSWORD);
    }

    @AfterAll
    void dropDatabase() throws Exception {
        if (db != null) {
            db.close();
        }
    }
}
