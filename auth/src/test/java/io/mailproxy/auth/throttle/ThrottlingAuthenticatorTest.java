package io.mailproxy.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottlingAuthenticatorTest {

    private static final Duration S2 = Duration.ofSeconds(2);
    private static final Duration S4 = Duration.ofSeconds(4);
    private static final Duration S8 = Duration.ofSeconds(8);
    private static final Duration S15 = Duration.ofSeconds(15);

    private final FakeTicker ticker = new FakeTicker();
    private final FakeAuthenticator delegate = new FakeAuthenticator();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Logger logger;
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        logger = (Logger) LoggerFactory.getLogger(ThrottlingAuthenticator.class);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logs);
        logger.setLevel(previousLevel);
    }

    private ThrottlingAuthenticator throttle(ThrottleConfig config) {
        return new ThrottlingAuthenticator(delegate, config,
                new InMemoryFailureTracker(config, ticker, Runnable::run), CredentialDigester.withRandomKey());
    }

    private static AuthRequest request(String ip, String user, String password) {
        try {
            InetSocketAddress client = ip == null ? null : new InetSocketAddress(InetAddress.getByName(ip), 50_000);
            return new AuthRequest(Protocol.IMAP, user, password, "LOGIN", client, 1, false);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Logs in; the fake delegate completes at once, so the outcome must be there already. */
    private static AuthOutcome login(Authenticator auth, String ip, String user, String password) {
        CompletableFuture<AuthOutcome> future = auth.authenticate(request(ip, user, password));
        assertThat(future).isDone();
        return future.join();
    }

    private static Duration delay(AuthOutcome outcome) {
        assertThat(outcome).isInstanceOf(Rejected.class);
        return ((Rejected) outcome).delay();
    }

    private static List<Duration> failures(Authenticator auth, String ip, String user, int count) {
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            delays.add(delay(login(auth, ip, user, "wrong" + i)));
        }
        return delays;
    }

    @Test
    void delayShouldGrow2_4_8_15_15WhenOneIpFailsWithDifferentPasswords() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        assertThat(failures(auth, "192.0.2.7", "alice", 5)).containsExactly(S2, S4, S8, S15, S15);
    }

    @Test
    void anAuthServersLongerWaitAndTextShouldSurviveTheThrottle() {
        delegate.behaviour = r -> java.util.concurrent.CompletableFuture.completedFuture(new Rejected(
                "auth_http: locked", Duration.ofSeconds(10), "Account locked", "535 5.7.8", false));
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        Rejected first = (Rejected) login(auth, "192.0.2.7", "alice", "first");
        assertThat(first).isEqualTo(new Rejected("auth_http: locked", Duration.ofSeconds(10), "Account locked",
                "535 5.7.8", false));
        assertThat(failures(auth, "192.0.2.7", "alice", 3)).as("the throttle's delay once it is longer")
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(15));
    }

    @Test
    void delayShouldFollowConfiguredBaseAndCapWhenTheyAreSet() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults()
                .withDelays(Duration.ofMillis(500), Duration.ofSeconds(3)));

        assertThat(failures(auth, "192.0.2.7", "alice", 4)).containsExactly(
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    @Test
    void delayShouldNotEscalateWhenSameUserRetriesSameWrongPassword() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            delays.add(delay(login(auth, "192.0.2.7", "alice", "old-password")));
        }

        assertThat(delays).containsExactly(S2, S2, S2, S2);
    }

    @Test
    void delayShouldNotEscalateWhenUserNameDiffersOnlyInCaseAndBlanks() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        Duration first = delay(login(auth, "192.0.2.7", "Alice", "old-password"));
        Duration second = delay(login(auth, "192.0.2.7", "alice ", "old-password"));

        assertThat(List.of(first, second)).containsExactly(S2, S2);
    }

    @Test
    void delayShouldEscalateWhenSameWrongPasswordIsSprayedOverDifferentUsers() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        List<Duration> delays = List.of(
                delay(login(auth, "192.0.2.7", "alice", "Summer2024!")),
                delay(login(auth, "192.0.2.7", "bob", "Summer2024!")),
                delay(login(auth, "192.0.2.7", "carol", "Summer2024!")));

        assertThat(delays).containsExactly(S2, S4, S8);
    }

    @Test
    void delayShouldBeCountedPerAddressWhenIpv4ClientsDiffer() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());
        failures(auth, "192.0.2.7", "alice", 3);

        assertThat(delay(login(auth, "192.0.2.8", "alice", "other"))).isEqualTo(S2);
    }

    @Test
    void delayShouldBeSharedWhenIpv6ClientsAreInOneSlash64() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        Duration first = delay(login(auth, "2001:db8:1:2::1", "alice", "a"));
        Duration sameNet = delay(login(auth, "2001:db8:1:2:ffff:ffff:ffff:fffe", "alice", "b"));
        Duration otherNet = delay(login(auth, "2001:db8:1:3::1", "alice", "c"));

        assertThat(List.of(first, sameNet, otherNet)).containsExactly(S2, S4, S2);
    }

    @Test
    void delayShouldBeSharedWhenIpv4ClientArrivesAsIpv4MappedIpv6() throws Exception {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());
        delay(login(auth, "192.0.2.7", "alice", "a"));
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        // the JDK itself turns ::ffff:a.b.c.d into IPv4; the grouping must agree with it either way
        String group = ThrottlingAuthenticator.clientGroup(
                Inet6Address.getByAddress(null, mapped, -1));

        assertThat(group).isEqualTo("192.0.2.7");
        assertThat(delay(login(auth, "::ffff:192.0.2.7", "alice", "b"))).isEqualTo(S4);
    }

    @Test
    void loginShouldGetNoDelayNorCeilingWhenClientIsInTrustedIpv4Network() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults()
                .withTrustedNetworks("10.0.0.0/8, 192.168.1.0/24").withMaxFailuresPerIp(2).withMaxFailuresPerUser(2));

        List<Duration> delays = failures(auth, "10.20.30.40", "alice", 4);
        AuthOutcome afterwards = login(auth, "192.168.1.99", "alice", "right");

        assertThat(delays).containsOnly(Duration.ZERO).hasSize(4);
        assertThat(afterwards).isSameAs(FakeAuthenticator.ACCEPTED);
        assertThat(delegate.calls).hasValue(5);
    }

    @Test
    void loginShouldGetNoDelayNorCeilingWhenClientIsInTrustedIpv6Network() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults()
                .withTrustedNetworks("2001:db8:aaaa::/48").withMaxFailuresPerIp(2));

        List<Duration> delays = failures(auth, "2001:db8:aaaa:1::5", "alice", 3);
        Duration untrusted = delay(login(auth, "2001:db8:bbbb:1::5", "alice", "x"));

        assertThat(delays).containsExactly(Duration.ZERO, Duration.ZERO, Duration.ZERO);
        assertThat(untrusted).isEqualTo(S2);
    }

    @Test
    void trustedFailuresShouldNotCountTowardsUserCeilingWhenUserLaterLogsInFromOutside() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults()
                .withTrustedNetworks("10.0.0.0/8").withMaxFailuresPerUser(2));
        failures(auth, "10.0.0.1", "alice", 3);

        assertThat(login(auth, "192.0.2.7", "alice", "right")).isSameAs(FakeAuthenticator.ACCEPTED);
    }

    @Test
    void loginShouldBeUnavailableWithoutAskingDelegateWhenIpReachedItsCeiling() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withMaxFailuresPerIp(3));
        failures(auth, "192.0.2.7", "alice", 3);

        AuthOutcome refused = login(auth, "192.0.2.7", "bob", "right");
        AuthOutcome otherClient = login(auth, "192.0.2.8", "bob", "right");

        assertThat(refused).isInstanceOf(Unavailable.class);
        assertThat(((Unavailable) refused).reason()).startsWith("too many failures from client 192.0.2.7");
        assertThat(otherClient).isSameAs(FakeAuthenticator.ACCEPTED);
        assertThat(delegate.calls).hasValue(4);
    }

    @Test
    void loginShouldBeUnavailableWithoutAskingDelegateWhenUserReachedItsCeilingFromManyIps() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withMaxFailuresPerUser(2));
        delay(login(auth, "192.0.2.1", "alice", "guess1"));
        delay(login(auth, "198.51.100.1", "alice", "guess2"));

        AuthOutcome refused = login(auth, "203.0.113.1", "ALICE", "right");
        AuthOutcome otherUser = login(auth, "203.0.113.1", "bob", "right");

        assertThat(refused).isInstanceOf(Unavailable.class);
        assertThat(((Unavailable) refused).reason()).startsWith("too many failures for this user");
        assertThat(otherUser).isSameAs(FakeAuthenticator.ACCEPTED);
        assertThat(delegate.calls).hasValue(3);
    }

    @Test
    void ceilingShouldNotBeReachedWhenSameWrongPasswordIsRetried() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withMaxFailuresPerIp(2).withMaxFailuresPerUser(2));
        for (int i = 0; i < 5; i++) {
            login(auth, "192.0.2.7", "alice", "old-password");
        }

        assertThat(login(auth, "192.0.2.7", "alice", "right")).isSameAs(FakeAuthenticator.ACCEPTED);
    }

    @Test
    void ceilingShouldLogOneInfoLineEachForIpAndUserWithSanitisedUserAndNoPasswordWhenReached() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withMaxFailuresPerIp(2).withMaxFailuresPerUser(2));
        login(auth, "192.0.2.7", "eve\r\nforged", "secret-one");
        login(auth, "192.0.2.7", "eve\r\nforged", "secret-two");
        login(auth, "192.0.2.7", "eve\r\nforged", "secret-three"); // refused: no more lines

        List<String> lines = logs.list.stream().filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("client 192.0.2.7 reached 2 failed logins");
        assertThat(lines.get(1)).contains("user=eve\\x0d\\x0aforged reached 2 failed logins");
        assertThat(String.join("\n", lines)).doesNotContain("secret").doesNotContain("\r");
    }

    @Test
    void ceilingShouldLiftAndDelayRestartWhenWindowEnds() {
        ThrottleConfig config = ThrottleConfig.defaults().withMaxFailuresPerIp(2).withWindow(Duration.ofMinutes(10));
        ThrottlingAuthenticator auth = throttle(config);
        failures(auth, "192.0.2.7", "alice", 2);

        ticker.advance(Duration.ofMinutes(10).minusNanos(1));
        AuthOutcome stillRefused = login(auth, "192.0.2.7", "alice", "again");
        ticker.advance(Duration.ofNanos(1));
        AuthOutcome afterWindow = login(auth, "192.0.2.7", "alice", "again");

        assertThat(stillRefused).isInstanceOf(Unavailable.class);
        assertThat(delay(afterWindow)).isEqualTo(S2);
        assertThat(delegate.calls).hasValue(3);
    }

    @Test
    void windowShouldNotSlideWhenMoreFailuresArriveLaterInIt() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withWindow(Duration.ofMinutes(10)));
        delay(login(auth, "192.0.2.7", "alice", "a"));
        ticker.advance(Duration.ofMinutes(9));
        Duration late = delay(login(auth, "192.0.2.7", "alice", "b"));
        ticker.advance(Duration.ofMinutes(1));

        Duration afterWindow = delay(login(auth, "192.0.2.7", "alice", "c"));

        assertThat(List.of(late, afterWindow)).containsExactly(S4, S2);
    }

    @Test
    void successShouldResetUserCountWhenThatUserLogsIn() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withMaxFailuresPerUser(3));
        delay(login(auth, "192.0.2.1", "alice", "typo1"));
        delay(login(auth, "192.0.2.2", "alice", "typo2"));
        assertThat(login(auth, "192.0.2.3", "alice", "right")).isSameAs(FakeAuthenticator.ACCEPTED);
        delay(login(auth, "192.0.2.4", "alice", "typo3"));
        delay(login(auth, "192.0.2.5", "alice", "typo4"));

        assertThat(login(auth, "192.0.2.6", "alice", "right")).isSameAs(FakeAuthenticator.ACCEPTED);
    }

    @Test
    void successShouldNotResetIpCountWhenASprayerGuessesOneUserRight() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());
        failures(auth, "192.0.2.7", "alice", 3);
        assertThat(login(auth, "192.0.2.7", "bob", "right")).isSameAs(FakeAuthenticator.ACCEPTED);

        assertThat(delay(login(auth, "192.0.2.7", "carol", "x"))).isEqualTo(S15);
    }

    @Test
    void acceptedShouldPassThroughUnchangedWhenDelegateAccepts() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        assertThat(login(auth, "192.0.2.7", "alice", "right")).isSameAs(FakeAuthenticator.ACCEPTED);
    }

    @Test
    void unavailableShouldPassThroughUnchangedAndCountNothingWhenDelegateIsUnavailable() {
        Unavailable down = new Unavailable("database down");
        delegate.behaviour = r -> CompletableFuture.completedFuture(down);
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        AuthOutcome first = login(auth, "192.0.2.7", "alice", "a");
        login(auth, "192.0.2.7", "alice", "b");
        delegate.behaviour = FakeAuthenticator::byPassword;

        assertThat(first).isSameAs(down);
        assertThat(delay(login(auth, "192.0.2.7", "alice", "c"))).isEqualTo(S2);
    }

    @Test
    void outcomeShouldBeUnavailableWhenDelegateFutureCompletesExceptionally() {
        delegate.behaviour = r -> CompletableFuture.failedFuture(new IllegalStateException("pool closed"));
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        AuthOutcome outcome = login(auth, "192.0.2.7", "alice", "a");

        assertThat(outcome).isInstanceOf(Unavailable.class);
        assertThat(((Unavailable) outcome).reason()).contains("pool closed");
    }

    @Test
    void outcomeShouldBeUnavailableWhenDelegateFutureFailsLaterOnAnotherCompletion() {
        CompletableFuture<AuthOutcome> pending = new CompletableFuture<>();
        delegate.behaviour = r -> pending.thenApply(o -> o); // completes via a dependent stage
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withTrustedNetworks("10.0.0.0/8"));

        CompletableFuture<AuthOutcome> untrusted = auth.authenticate(request("192.0.2.7", "alice", "a"));
        CompletableFuture<AuthOutcome> trusted = auth.authenticate(request("10.0.0.1", "alice", "a"));
        pending.completeExceptionally(new TimeoutException("query timeout"));

        assertThat(untrusted.join()).isInstanceOf(Unavailable.class);
        assertThat(((Unavailable) untrusted.join()).reason()).contains("query timeout");
        assertThat(trusted.join()).isInstanceOf(Unavailable.class);
    }

    @Test
    void outcomeShouldBeUnavailableWhenDelegateThrowsInsteadOfReturningAFuture() {
        delegate.behaviour = r -> {
            throw new IllegalStateException("closed");
        };
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        assertThat(login(auth, "192.0.2.7", "alice", "a")).isInstanceOf(Unavailable.class);
    }

    @Test
    void outcomeShouldCompleteOnlyWhenDelegateCompletesAndOnItsThread() throws Exception {
        CompletableFuture<AuthOutcome> pending = new CompletableFuture<>();
        delegate.behaviour = r -> pending;
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults());

        CompletableFuture<AuthOutcome> result = auth.authenticate(request("192.0.2.7", "alice", "a"));
        boolean doneBeforeDelegate = result.isDone();
        AtomicReference<String> completedOn = new AtomicReference<>();
        result.thenRun(() -> completedOn.set(Thread.currentThread().getName()));
        Thread authThread = new Thread(() -> pending.complete(new Rejected("wrong password", Duration.ZERO)),
                "fake-auth-executor");
        authThread.start();
        authThread.join();

        assertThat(doneBeforeDelegate).isFalse();
        assertThat(delay(result.join())).isEqualTo(S2);
        assertThat(completedOn).hasValue("fake-auth-executor");
    }

    @Test
    void delayShouldFollowUserCountWhenClientAddressIsUnknown() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.defaults().withMaxFailuresPerIp(1));

        assertThat(failures(auth, null, "alice", 3)).containsExactly(S2, S4, S8);
    }

    @Test
    void rejectionShouldKeepDelegateDelayWhenThrottleIsDisabled() {
        ThrottlingAuthenticator auth = throttle(ThrottleConfig.disabled().withMaxFailuresPerIp(1));

        List<Duration> delays = failures(auth, "192.0.2.7", "alice", 3);

        assertThat(delays).containsOnly(FakeAuthenticator.DELEGATE_DELAY).hasSize(3);
        assertThat(delegate.calls).hasValue(3);
    }

    @Test
    void wrapShouldReturnDelegateItselfWhenDisabledAndAThrottleWhenEnabled() {
        assertThat(ThrottlingAuthenticator.wrap(delegate, ThrottleConfig.disabled())).isSameAs(delegate);
        assertThat(ThrottlingAuthenticator.wrap(delegate, ThrottleConfig.defaults()))
                .isInstanceOf(ThrottlingAuthenticator.class);
    }

    @Test
    void closeShouldCloseDelegateWhenThrottleIsClosed() {
        throttle(ThrottleConfig.defaults()).close();

        assertThat(delegate.closes).hasValue(1);
    }

    @Test
    void rejectionShouldStillCarryLongestDelayWhenTrackerFails() {
        FailureTracker broken = new FailureTracker() {
            @Override public int ipFailures(String ipKey) { return 0; }
            @Override public int userFailures(String userKey) { return 0; }
            @Override public Counts recordFailure(String ipKey, String userKey, String credentialKey) {
                throw new IllegalStateException("tracker broken");
            }
            @Override public void recordSuccess(String userKey) { }
            @Override public void clear() { }
        };
        ThrottlingAuthenticator auth = new ThrottlingAuthenticator(delegate, ThrottleConfig.defaults(), broken,
                CredentialDigester.withRandomKey());

        assertThat(delay(login(auth, "192.0.2.7", "alice", "a"))).isEqualTo(S15);
    }

    @Test
    void clientGroupShouldBeTheSlash64WhenAddressIsIpv6() throws Exception {
        assertThat(ThrottlingAuthenticator.clientGroup(InetAddress.getByName("2001:db8:1:2:3:4:5:6")))
                .isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(ThrottlingAuthenticator.clientGroup(InetAddress.getByName("203.0.113.9")))
                .isEqualTo("203.0.113.9");
    }
}
