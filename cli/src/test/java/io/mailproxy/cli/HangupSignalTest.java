package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HangupSignalTest {

    @Test
    void sighupShouldBeSeenAsIgnoredWhenBitZeroOfSigIgnIsSet() {
        // as under nohup: SIGHUP (1) ignored, plus SIGPIPE (13)
        String status = "Name:\tjava\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001001\nSigCgt:\t2000000181005ccf\n";
        assertThat(HangupSignal.sighupIgnored(status)).isTrue();
    }

    @Test
    void sighupShouldNotBeSeenAsIgnoredWhenOnlyOtherSignalsAre() {
        String status = "Name:\tjava\nSigIgn:\t0000000000001000\nSigCgt:\t2000000181005ccf\n";
        assertThat(HangupSignal.sighupIgnored(status)).isFalse();
        assertThat(HangupSignal.sighupIgnored("Name:\tjava\n")).isFalse();
    }
}
