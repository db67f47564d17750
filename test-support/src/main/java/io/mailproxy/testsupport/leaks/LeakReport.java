package io.mailproxy.testsupport.leaks;

/**
 * One leak Netty's detector reported: a reference-counted object (a buffer, usually) became
 * unreachable without being released.
 *
 * @param resourceType the leaked type ({@code ByteBuf})
 * @param records      where it was created and last touched (paranoid level records every access);
 *                     empty when the detector had no records
 */
public record LeakReport(String resourceType, String records) {
    @Override
    public String toString() {
        return "LEAK: " + resourceType + " was garbage-collected before it was released."
                + (records.isEmpty() ? " (no access records)" : records);
    }
}
