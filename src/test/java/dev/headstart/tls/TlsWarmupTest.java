package dev.headstart.tls;

import org.junit.jupiter.api.Test;

import java.security.Security;

import static org.assertj.core.api.Assertions.assertThat;

class TlsWarmupTest {

    @Test
    void theInMemoryKeyStoreSkipsPbkdf2RoundsUnlessTheOperatorChoseACount() {
        String before = Security.getProperty(TlsWarmup.PKCS12_ITERATIONS);
        try {
            System.setProperty(TlsWarmup.PKCS12_ITERATIONS, "20000");
            TlsWarmup.begin();
            assertThat(Security.getProperty(TlsWarmup.PKCS12_ITERATIONS)).as("an explicit choice is kept").isEqualTo(before);

            System.clearProperty(TlsWarmup.PKCS12_ITERATIONS);
            TlsWarmup.begin();
            assertThat(Security.getProperty(TlsWarmup.PKCS12_ITERATIONS)).isEqualTo(before == null ? "1" : before);
        } finally {
            System.clearProperty(TlsWarmup.PKCS12_ITERATIONS);
        }
    }
}
