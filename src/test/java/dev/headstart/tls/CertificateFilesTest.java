package dev.headstart.tls;

import dev.headstart.testing.DevCertificates;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateFilesTest {

    @TempDir
    static Path tmp;
    static Path one;
    static Path two;
    static Vertx vertx;

    @BeforeAll
    static void pairs() throws Exception {
        one = DevCertificates.generate(tmp.resolve("one"));
        two = DevCertificates.generate(tmp.resolve("two"));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    @Test
    void aGeneratedPairParsesIntoAServingCertificate() throws Exception {
        ServingCertificate served = CertificatePairs.files(one).parse(vertx);
        assertThat(served.leaf().getSubjectX500Principal().getName()).contains("headstart.headstart-system.svc");
        assertThat(served.notAfter()).isEqualTo(served.leaf().getNotAfter().toInstant());
        String alias = served.keyManager().chooseServerAlias("RSA", null, null);
        assertThat(served.keyManager().getCertificateChain(alias)[0]).isEqualTo(served.leaf());
    }

    /** cert-manager writes PKCS#1 RSA keys by default, and SEC1 keys for ECDSA. */
    @Test
    void theKeyEncodingsCertManagerWritesParse() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("encodings"));
        openssl("rsa", "-in", one.resolve("tls.key").toString(), "-traditional", "-out", dir.resolve("rsa1.key").toString());
        assertThat(Files.readString(dir.resolve("rsa1.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        ServingCertificate rsa = new CertificateFiles(Files.readAllBytes(one.resolve("tls.crt")),
                Files.readAllBytes(dir.resolve("rsa1.key"))).parse(vertx);
        assertThat(rsa.leaf().getPublicKey().getAlgorithm()).isEqualTo("RSA");

        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("ec8.key").toString(), "-out", dir.resolve("ec.crt").toString(),
                "-subj", "/CN=headstart.headstart-system.svc", "-days", "1");
        openssl("ec", "-in", dir.resolve("ec8.key").toString(), "-out", dir.resolve("sec1.key").toString());
        assertThat(Files.readString(dir.resolve("sec1.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        for (String key : new String[] {"ec8.key", "sec1.key"}) {
            ServingCertificate ec = new CertificateFiles(Files.readAllBytes(dir.resolve("ec.crt")),
                    Files.readAllBytes(dir.resolve(key))).parse(vertx);
            assertThat(ec.leaf().getPublicKey().getAlgorithm()).as(key).isEqualTo("EC");
            assertThat(ec.keyManager().chooseEngineServerAlias("EC", null, null)).as(key).isNotNull();
        }
    }

    private static void openssl(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl"));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    @Test
    void theFingerprintFollowsEitherFile() throws Exception {
        CertificateFiles a = CertificatePairs.files(one);
        assertThat(a.fingerprint()).isEqualTo(CertificatePairs.files(one).fingerprint()).hasSize(64);
        assertThat(new CertificateFiles(a.cert(), Files.readAllBytes(two.resolve("tls.key"))).fingerprint())
                .isNotEqualTo(a.fingerprint());
        assertThat(new CertificateFiles(Files.readAllBytes(two.resolve("tls.crt")), a.key()).fingerprint())
                .isNotEqualTo(a.fingerprint());
    }

    @Test
    void aCertificateWithSomeoneElsesKeyIsRefused() throws Exception {
        CertificateFiles mixed = new CertificateFiles(Files.readAllBytes(one.resolve("tls.crt")),
                Files.readAllBytes(two.resolve("tls.key")));
        assertThatThrownBy(() -> mixed.parse(vertx)).isInstanceOf(GeneralSecurityException.class)
                .hasMessage("the key does not belong to the certificate");
    }

    @Test
    void garbageIsRefusedWithoutQuotingIt() throws Exception {
        String secret = "-----BEGIN CERTIFICATE-----\nU0VDUkVUVkFMVUU=\n-----END CERTIFICATE-----\n";
        CertificateFiles garbage = new CertificateFiles(secret.getBytes(StandardCharsets.US_ASCII),
                Files.readAllBytes(one.resolve("tls.key")));
        assertThatThrownBy(() -> garbage.parse(vertx)).isInstanceOf(GeneralSecurityException.class)
                .message().doesNotContain("U0VDUkVU").doesNotContain("SECRET");
        CertificateFiles empty = new CertificateFiles(new byte[0], new byte[0]);
        assertThatThrownBy(() -> empty.parse(vertx)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void aMissingFileIsAnIoError() {
        assertThatThrownBy(() -> CertificateFiles.read(tmp.resolve("absent.crt").toString(), one.resolve("tls.key").toString()))
                .isInstanceOf(NoSuchFileException.class);
    }
}
