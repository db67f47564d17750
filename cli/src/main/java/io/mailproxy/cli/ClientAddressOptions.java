package io.mailproxy.cli;

import io.mailproxy.proxy.BackendProxyProtocol;
import io.mailproxy.proxy.ProxyProtocolPolicy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The client's real address, in and out (serve): PROXY protocol from a load balancer, PROXY
 * protocol or IMAP ID / POP3 XCLIENT to the backend.
 */
final class ClientAddressOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--proxy-protocol",
            description = "Every listener expects a PROXY protocol header (v1 or v2) from a load balancer "
                    + "(nginx listen ... proxy_protocol); its source address is the client's. Needs --proxy-protocol-trusted.")
    boolean proxyProtocol;

    @Option(names = "--proxy-protocol-trusted", paramLabel = "CIDR[,CIDR...]",
            description = "The load balancers that may send a PROXY header (nginx set_real_ip_from), e.g. "
                    + "10.0.0.0/8,::1; a connection from anywhere else is closed at once.")
    String proxyProtocolTrusted;

    @Option(names = "--backend-proxy-protocol", paramLabel = "off|v1|v2", defaultValue = "off",
            description = "Start each backend connection with a PROXY header naming the client (Dovecot: "
                    + "haproxy_trusted_networks). Default: ${DEFAULT-VALUE}.")
    String backendProxyProtocol;

    @Option(names = "--forward-client-ip",
            description = "Tell the backend the client's address: IMAP ID (x-originating-ip, ...) when it announces ID, "
                    + "POP3 XCLIENT when it announces XCLIENT (Dovecot: login_trusted_networks must hold this proxy).")
    boolean forwardClientIp;

    /** The PROXY policy of every listener, or null when --proxy-protocol is off. */
    ProxyProtocolPolicy proxyProtocolPolicy() {
        if (!proxyProtocol) {
            if (proxyProtocolTrusted != null) {
                throw usage("--proxy-protocol-trusted needs --proxy-protocol");
            }
            return null;
        }
        if (proxyProtocolTrusted == null || proxyProtocolTrusted.isBlank()) {
            throw usage("--proxy-protocol needs --proxy-protocol-trusted CIDR,... (the load balancers' addresses)");
        }
        try {
            return ProxyProtocolPolicy.trusting(proxyProtocolTrusted);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--proxy-protocol-trusted': " + e.getMessage());
        }
    }

    BackendProxyProtocol backendProxyProtocol() {
        try {
            return BackendProxyProtocol.parse(backendProxyProtocol);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--backend-proxy-protocol': " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
