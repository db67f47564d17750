package io.mailproxy.auth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcAuthConfigTest {

    @Test
    void builderShouldApplyDocumentedDefaultsWhenNothingIsSet() {
        JdbcAuthConfig c = JdbcAuthConfig.builder("jdbc:mysql://db/mail").build();

        assertThat(c.query()).isEqualTo("select password,mail_server from mailaccounts where username=? limit 1");
        assertThat(c.poolSize()).isEqualTo(10);
        assertThat(c.queueCapacity()).isEqualTo(1000);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.queryTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.authTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.failureDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.user()).isEmpty();
        assertThat(c.password()).isEmpty();
        assertThat(c.placeholders()).isEqualTo(1);
        assertThat(c.isMysql()).isTrue();
        assertThat(c.isH2()).isFalse();
    }

    @Test
    void queueCapacityShouldBeABoundedBurstUnlessSet() {
        assertThat(JdbcAuthConfig.builder("jdbc:h2:mem:x").poolSize(3).build().queueCapacity()).isEqualTo(JdbcAuthConfig.DEFAULT_QUEUE_CAPACITY);
        assertThat(JdbcAuthConfig.builder("jdbc:h2:mem:x").poolSize(3).queueCapacity(0).build().queueCapacity()).isZero();
    }

    @Test
    void embeddedShouldPointAtH2FileInDataDirWithMysqlModeAndAutoServer(@org.junit.jupiter.api.io.TempDir Path dir) {
        JdbcAuthConfig c = JdbcAuthConfig.embedded(dir.resolve("data")).build();

        assertThat(c.jdbcUrl()).isEqualTo("jdbc:h2:file:" + dir.toAbsolutePath() + "/data/mailproxy"
                + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE");
        assertThat(c.user()).isEqualTo("sa");
        assertThat(c.isH2()).isTrue();
        assertThatThrownBy(() -> EmbeddedStore.jdbcUrl(dir.resolve("a;b"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShouldHideDatabasePasswordWhenSetInFieldOrUrl() {
        JdbcAuthConfig c = JdbcAuthConfig.builder("jdbc:mysql://db/mail?user=u&password=urlSecret&sslMode=REQUIRED")
                .user("u").password("fieldSecret").build();

        assertThat(c.toString()).doesNotContain("urlSecret").doesNotContain("fieldSecret")
                .contains("password=***").contains("sslMode=REQUIRED");
        assertThat(c.redactedUrl()).isEqualTo("jdbc:mysql://db/mail?user=u&password=***&sslMode=REQUIRED");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "select password, mail_server from mailaccounts",
            "select password, mail_server from mailaccounts where username = '?'",
            "select password, mail_server from mailaccounts where username=? and a=? and b=?"})
    void queryShouldBeRefusedWhenItDoesNotHaveOneOrTwoPlaceholders(String query) {
        assertThatThrownBy(() -> JdbcAuthConfig.builder("jdbc:h2:mem:x").query(query).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'?'");
    }

    @Test
    void placeholdersShouldIgnoreQuestionMarksInQuotes() {
        assertThat(JdbcAuthConfig.countPlaceholders("select '?', \"?\", `?`, 'it\\'s?' from t where u=?")).isEqualTo(1);
        assertThat(JdbcAuthConfig.countPlaceholders("select a from t where u=? and p=?")).isEqualTo(2);
    }

    @Test
    void queryTimeoutSecondsShouldRoundUpToWholeSecondsAtLeastOne() {
        assertThat(JdbcAuthConfig.builder("jdbc:h2:mem:x").queryTimeout(Duration.ofMillis(10)).build()
                .queryTimeoutSeconds()).isEqualTo(1);
        assertThat(JdbcAuthConfig.builder("jdbc:h2:mem:x").queryTimeout(Duration.ofMillis(2001)).build()
                .queryTimeoutSeconds()).isEqualTo(3);
    }

    @Test
    void builderShouldRejectNonsenseWithReadableMessages() {
        assertThatThrownBy(() -> JdbcAuthConfig.builder("mysql://db").build()).hasMessageContaining("not a JDBC URL");
        assertThatThrownBy(() -> JdbcAuthConfig.builder("jdbc:h2:mem:x").poolSize(0).build()).hasMessageContaining("poolSize");
        assertThatThrownBy(() -> JdbcAuthConfig.builder("jdbc:h2:mem:x").queueCapacity(-1).build())
                .hasMessageContaining("queueCapacity");
        assertThatThrownBy(() -> JdbcAuthConfig.builder("jdbc:h2:mem:x").connectTimeout(Duration.ofMillis(100)).build())
                .hasMessageContaining("250 ms");
        assertThatThrownBy(() -> JdbcAuthConfig.builder("jdbc:h2:mem:x").authTimeout(Duration.ZERO).build())
                .hasMessageContaining("authTimeout");
        assertThatThrownBy(() -> JdbcAuthConfig.builder("jdbc:h2:mem:x").failureDelay(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("failureDelay");
    }

    @Test
    void mysqlUrlShouldGetDriverDefaultsWhenUrlDoesNotSetThem() {
        JdbcAuthConfig c = JdbcAuthConfig.builder("jdbc:mysql://db/mail").connectTimeout(Duration.ofMillis(1500))
                .queryTimeout(Duration.ofSeconds(3)).build();

        assertThat(AuthStores.driverDefaults(c)).containsExactly(
                Map.entry("connectTimeout", "1500"),
                Map.entry("socketTimeout", "4500"),
                Map.entry("characterEncoding", "UTF-8"),
                Map.entry("cachePrepStmts", "true"),
                Map.entry("prepStmtCacheSize", "250"),
                Map.entry("prepStmtCacheSqlLimit", "2048"),
                Map.entry("useServerPrepStmts", "true"),
                Map.entry("useLocalSessionState", "true"),
                Map.entry("cacheServerConfiguration", "true"),
                Map.entry("elideSetAutoCommits", "true"),
                Map.entry("maintainTimeStats", "false"),
                Map.entry("tcpKeepAlive", "true"));
    }

    @Test
    void mysqlUrlSettingsShouldWinOverDefaultsWhenPresentInAnyCase() {
        JdbcAuthConfig c = JdbcAuthConfig.builder(
                "jdbc:mysql://db/mail?socketTimeout=60000&CACHEPREPSTMTS=false&characterEncoding=latin1&sslMode=REQUIRED")
                .build();

        Map<String, String> defaults = AuthStores.driverDefaults(c);

        assertThat(defaults).doesNotContainKeys("socketTimeout", "cachePrepStmts", "characterEncoding")
                .containsEntry("connectTimeout", "2000").containsEntry("useServerPrepStmts", "true")
                .doesNotContainKey("sslMode");
    }

    @Test
    void h2UrlShouldGetNoDriverDefaults() {
        assertThat(AuthStores.driverDefaults(JdbcAuthConfig.builder("jdbc:h2:mem:x").build())).isEmpty();
    }

    @Test
    void hikariConfigShouldBeFixedSizeBoundedAndStartWithoutDatabase() {
        JdbcAuthConfig c = JdbcAuthConfig.builder("jdbc:mysql://db/mail").user("u").password("p").poolSize(4)
                .connectTimeout(Duration.ofMillis(1200)).build();

        HikariConfig hc = AuthStores.hikariConfig(c);

        assertThat(hc.getMaximumPoolSize()).isEqualTo(4);
        assertThat(hc.getMinimumIdle()).isEqualTo(4);
        assertThat(hc.getConnectionTimeout()).isEqualTo(1200);
        assertThat(hc.getValidationTimeout()).isEqualTo(600);
        assertThat(hc.getInitializationFailTimeout()).isEqualTo(-1);
        assertThat(hc.getUsername()).isEqualTo("u");
        assertThat(hc.getDataSourceProperties()).containsEntry("socketTimeout", "4200");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://db/mail", "jdbc:nosuchdriver:x"})
    void openShouldFailWithReadableMessageWhenNoDriverTakesTheUrl(String url) {
        assertThatThrownBy(() -> AuthStores.open(JdbcAuthConfig.builder(url + "?password=hidden").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no JDBC driver")
                .hasMessageContaining("jdbc:mysql://")
                .hasMessageNotContaining("hidden");
    }
}
