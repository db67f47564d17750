package io.mailproxy.bench;

import io.mailproxy.bench.Users.Account;
import java.util.List;

/** The scripted sessions of each run, per protocol. */
final class Scripts {
    private Scripts() {
    }

    /** Greeting, login, SELECT INBOX / STAT, logout. Step 1 is the login. */
    static List<Step> login(String protocol, Account a) {
        if (protocol.equals("imap")) {
            return List.of(Step.greeting(), Step.imapLogin("a1", a.user(), a.password()),
                    Step.imap("a2", "SELECT INBOX"), Step.imap("a3", "LOGOUT"));
        }
        return List.of(Step.greeting(), Step.pop3("USER " + a.user()), Step.pop3Login("PASS " + a.password()),
                Step.pop3("STAT"), Step.pop3("QUIT"));
    }

    /** Index of the step whose completion is the login. */
    static int loginStep(String protocol) {
        return protocol.equals("imap") ? 1 : 2;
    }

    /** Greeting, login, (SELECT,) download message {@code n}, logout. */
    static List<Step> fetch(String protocol, Account a, int n) {
        if (protocol.equals("imap")) {
            return List.of(Step.greeting(), Step.imapLogin("a1", a.user(), a.password()),
                    Step.imap("a2", "SELECT INBOX"), Step.imapFetch("a3", "FETCH " + n + " BODY.PEEK[]"),
                    Step.imap("a4", "LOGOUT"));
        }
        return List.of(Step.greeting(), Step.pop3("USER " + a.user()), Step.pop3Login("PASS " + a.password()),
                Step.pop3Retr(n), Step.pop3("QUIT"));
    }

    /** Index of the download step. */
    static int fetchStep(String protocol) {
        return 3;
    }

    /** Greeting, login, SELECT INBOX, IDLE (held), DONE, LOGOUT. */
    static List<Step> idle(Account a) {
        return List.of(Step.greeting(), Step.imapLogin("a1", a.user(), a.password()),
                Step.imap("a2", "SELECT INBOX"), Step.imapIdle("a3"),
                new Step("DONE", Step.Kind.IMAP_TAGGED, "a3", false, false), Step.imap("a4", "LOGOUT"));
    }
}
