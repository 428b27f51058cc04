package dev.headstart.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The key manager the HTTPS server is built with once. Each handshake asks it for the certificate,
 * so swapping its delegate rotates the certificate for every new connection at once, with no
 * rebuild of the server's SSL context (Vert.x drops new connections while it rebuilds one).
 *
 * <p>A handshake chooses an alias, then asks for that alias's key and chain in separate calls; a
 * swap may fall between them. Aliases are therefore tagged with the generation that chose them, so
 * key and chain always come from the same certificate.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {

    private record Generation(long number, X509ExtendedKeyManager keys) {
        String tag(String alias) {
            return alias == null ? null : number + ":" + alias;
        }

        String[] tag(String[] aliases) {
            return aliases == null ? null : Arrays.stream(aliases).map(this::tag).toArray(String[]::new);
        }
    }

    private volatile Generation current;
    private volatile Generation previous;

    SwappableKeyManager(X509ExtendedKeyManager initial) {
        this.current = new Generation(0, initial);
        this.previous = current;
    }

    /** Serves {@code next} to every handshake that starts from now on. */
    synchronized void swap(X509ExtendedKeyManager next) {
        Generation now = current;
        previous = now;
        current = new Generation(now.number() + 1, next);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Generation g = current;
        return g.tag(g.keys().chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Generation g = current;
        return g.tag(g.keys().chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        Generation g = current;
        return g.tag(g.keys().chooseEngineClientAlias(keyType, issuers, engine));
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        Generation g = current;
        return g.tag(g.keys().chooseClientAlias(keyType, issuers, socket));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Generation g = current;
        return g.tag(g.keys().getServerAliases(keyType, issuers));
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        Generation g = current;
        return g.tag(g.keys().getClientAliases(keyType, issuers));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Generation g = owner(alias);
        return g == null ? null : g.keys().getCertificateChain(untagged(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Generation g = owner(alias);
        return g == null ? null : g.keys().getPrivateKey(untagged(alias));
    }

    /** The generation that chose this alias: the current one or the one just replaced. */
    private Generation owner(String alias) {
        int colon = alias == null ? -1 : alias.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String number = alias.substring(0, colon);
        for (Generation g : new Generation[] {current, previous}) {
            if (Long.toString(g.number()).equals(number)) {
                return g;
            }
        }
        return null;
    }

    private static String untagged(String alias) {
        return alias.substring(alias.indexOf(':') + 1);
    }
}
