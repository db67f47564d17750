package io.mailproxy.protocols.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImapConfigTest {

    @Test
    void defaultsShouldAnnounceTheDocumentedCapabilities() {
        ImapConfig config = ImapConfig.defaults();
        assertThat(config.capabilityLine()).isEqualTo("IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN");
        assertThat(config.announces("auth=plain")).isTrue();
        assertThat(config.announces("AUTH=CRAM-MD5")).isFalse();
    }

    @Test
    void capabilitiesShouldBeCopiedAndKeptInOrder() {
        List<String> caps = new ArrayList<>(List.of("IMAP4rev1", "UIDPLUS"));
        ImapConfig config = new ImapConfig(caps);
        caps.add("X");
        assertThat(config.capabilityLine()).isEqualTo("IMAP4rev1 UIDPLUS");
    }

    @Test
    void capabilitiesShouldBeRejectedWhenNotAtomsOrNotImplemented() {
        assertThatThrownBy(() -> new ImapConfig(List.of())).isInstanceOf(IllegalArgumentException.class);
        for (String bad : List.of("", "A B", "X\r\n* BYE", "QUOTA(", "\"X\"", "caf\u00e9")) {
            assertThatThrownBy(() -> new ImapConfig(List.of("IMAP4rev1", bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid IMAP capability");
        }
        assertThatThrownBy(() -> new ImapConfig(List.of("IMAP4rev1", "starttls")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("announced by the listener's TLS mode");
        assertThatThrownBy(() -> new ImapConfig(List.of("IMAP4rev1", "LOGINDISABLED")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("announced by the listener's TLS mode");
    }

    @Test
    void protocolShouldBeImapWithTheAutologoutReply() {
        ImapProtocol protocol = new ImapProtocol(ImapConfig.defaults());
        assertThat(protocol.protocol()).isEqualTo(Protocol.IMAP);
        assertThat(protocol.config()).isEqualTo(ImapConfig.defaults());
        ByteBuf reply = protocol.loginTimeoutReply(UnpooledByteBufAllocator.DEFAULT);
        assertThat(reply.toString(StandardCharsets.US_ASCII)).isEqualTo("* BYE Autologout; idle for too long\r\n");
        assertThat(reply.release()).isTrue();
    }

    @Test
    void commandRegistryShouldDeclareStatesAndResolveCaseInsensitively() {
        assertThat(ImapCommandType.lookup("login")).isSameAs(ImapCommandType.LOGIN);
        assertThat(ImapCommandType.lookup("Authenticate")).isSameAs(ImapCommandType.AUTHENTICATE);
        assertThat(ImapCommandType.lookup("FOOBAR")).isNull();
        assertThat(ImapCommandType.lookup("X".repeat(100))).isNull();
        assertThat(ImapCommandType.LOGIN.isValidIn(ImapState.NOT_AUTHENTICATED)).isTrue();
        assertThat(ImapCommandType.LOGIN.isValidIn(ImapState.AUTHENTICATED)).isFalse();
        assertThat(ImapCommandType.SELECT.isValidIn(ImapState.NOT_AUTHENTICATED)).isFalse();
        assertThat(ImapCommandType.FETCH.isValidIn(ImapState.AUTHENTICATED)).isFalse();
        assertThat(ImapCommandType.NOOP.isValidIn(ImapState.SELECTED)).isTrue();
        assertThat(ImapCommandType.NOOP.isValidIn(ImapState.LOGOUT)).isFalse();
    }
}
