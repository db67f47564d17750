package io.mailproxy.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Small helpers shared by the commands. */
final class Commands {
    private Commands() {
    }

    /** The {@link Io} of the {@link Main} at the root of {@code spec}'s command tree. */
    static Io io(CommandSpec spec) {
        return main(spec).io();
    }

    static Main main(CommandSpec spec) {
        return (Main) spec.root().userObject();
    }
}
