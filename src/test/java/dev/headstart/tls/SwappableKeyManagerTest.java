package dev.headstart.tls;

import dev.headstart.testing.DevCertificates;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SwappableKeyManagerTest {

    @TempDir
    static Path tmp;
    static ServingCertificate one;
    static ServingCertificate two;
    static ServingCertificate three;

    @BeforeAll
    static void pairs() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            one = CertificatePairs.files(DevCertificates.generate(tmp.resolve("one"))).parse(vertx);
            two = CertificatePairs.files(DevCertificates.generate(tmp.resolve("two"))).parse(vertx);
            three = CertificatePairs.files(DevCertificates.generate(tmp.resolve("three"))).parse(vertx);
        } finally {
            vertx.close();
        }
    }

    @Test
    void newHandshakesGetTheSwappedInCertificate() {
        SwappableKeyManager keys = new SwappableKeyManager(one.keyManager());
        assertThat(keys.getCertificateChain(keys.chooseEngineServerAlias("RSA", null, null))[0]).isEqualTo(one.leaf());
        keys.swap(two.keyManager());
        String alias = keys.chooseEngineServerAlias("RSA", null, null);
        assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(two.leaf());
        assertThat(keys.getPrivateKey(alias)).isEqualTo(two.keyManager().getPrivateKey(untagged(alias)));
    }

    @Test
    void aHandshakeThatChoseBeforeASwapGetsKeyAndChainOfOneCertificate() {
        SwappableKeyManager keys = new SwappableKeyManager(one.keyManager());
        String chosen = keys.chooseEngineServerAlias("RSA", null, null);
        keys.swap(two.keyManager()); // between choosing the alias and reading key and chain
        assertThat(keys.getCertificateChain(chosen)[0]).isEqualTo(one.leaf());
        assertThat(keys.getPrivateKey(chosen)).isEqualTo(one.keyManager().getPrivateKey(untagged(chosen)));
    }

    @Test
    void anAliasTwoSwapsOldResolvesToNothingRatherThanAMismatchedPair() {
        SwappableKeyManager keys = new SwappableKeyManager(one.keyManager());
        String chosen = keys.chooseServerAlias("RSA", null, null);
        keys.swap(two.keyManager());
        keys.swap(three.keyManager());
        assertThat(keys.getCertificateChain(chosen)).isNull();
        assertThat(keys.getPrivateKey(chosen)).isNull();
        assertThat(keys.getPrivateKey("not-tagged")).isNull();
        assertThat(keys.getServerAliases("RSA", null)).allSatisfy(a -> assertThat(keys.getCertificateChain(a)[0]).isEqualTo(three.leaf()));
    }

    @Test
    void aKeyTypeTheCertificateCannotServeChoosesNoAlias() {
        SwappableKeyManager keys = new SwappableKeyManager(one.keyManager());
        assertThat(keys.chooseEngineServerAlias("EC", null, null)).isNull();
    }

    private static String untagged(String alias) {
        return alias.substring(alias.indexOf(':') + 1);
    }
}
