package io.mailproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The accounts a run logs in as: {@code user%d} over a range, or the lines of a file; drawn at random. */
public final class Users {

    /** One account. */
    public record Account(String user, String password) {
        @Override
        public String toString() {
            return "Account[" + user + "]";
        }
    }

    private final List<Account> accounts;

    private Users(List<Account> accounts) {
        if (accounts.isEmpty()) {
            throw new IllegalArgumentException("no users to log in as");
        }
        this.accounts = List.copyOf(accounts);
    }

    /** {@code pattern} formatted with each number of {@code range} ("1-2000"), all with {@code password}. */
    public static Users range(String pattern, String range, String password) {
        String[] bounds = range.split("-", 2);
        int from;
        int to;
        try {
            from = Integer.parseInt(bounds[0].trim());
            to = bounds.length == 2 ? Integer.parseInt(bounds[1].trim()) : from;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("user range is FROM-TO, e.g. 1-2000: " + range);
        }
        if (to < from || to - from >= 10_000_000) {
            throw new IllegalArgumentException("bad user range: " + range);
        }
        List<Account> list = new ArrayList<>(to - from + 1);
        for (int i = from; i <= to; i++) {
            list.add(new Account(String.format(pattern, i), password));
        }
        return new Users(list);
    }

    /** One account per line: {@code user} (then {@code password} is used) or {@code user password}; # comments. */
    public static Users file(Path file, String password) {
        try {
            List<Account> list = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] parts = l.split("\\s+", 2);
                list.add(new Account(parts[0], parts.length == 2 ? parts[1] : password));
            }
            return new Users(list);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Account random() {
        return accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
    }

    public Account first() {
        return accounts.get(0);
    }

    public List<Account> all() {
        return accounts;
    }

    public int size() {
        return accounts.size();
    }
}
