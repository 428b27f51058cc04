package dev.headstart.manifests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** certs/generate.sh, which `make deploy` and the test build rely on, run for real with openssl. */
class DevCertificatesTest {

    private static final List<String> FILES = List.of("ca.crt", "ca.key", "tls.crt", "tls.key");

    private static String generate(Path dir, String... extra) {
        List<String> command = new ArrayList<>(List.of("bash", "certs/generate.sh", dir.toString()));
        command.addAll(List.of(extra));
        return ManifestSet.run(command, Map.of());
    }

    private static X509Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void servingCertificateCoversTheServiceNamesAndIsSignedByThePrintedCa(@TempDir Path tmp) throws Exception {
        String printed = generate(tmp).strip();

        X509Certificate ca = certificate(tmp.resolve("ca.crt"));
        X509Certificate serving = certificate(tmp.resolve("tls.crt"));
        List<String> sans = new ArrayList<>();
        for (List<?> san : serving.getSubjectAlternativeNames()) {
            sans.add(san.get(1).toString());
        }
        assertThat(sans).containsExactlyInAnyOrder("localhost", "127.0.0.1",
                "headstart.headstart-system.svc", "headstart.headstart-system.svc.cluster.local");
        serving.verify(ca.getPublicKey());
        serving.checkValidity();
        assertThat(serving.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
        assertThat(printed).isEqualTo(Base64.getEncoder().encodeToString(Files.readAllBytes(tmp.resolve("ca.crt"))));
        assertThat(Files.getPosixFilePermissions(tmp.resolve("tls.key"))).as("private key readable by its owner only")
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void aSecondRunKeepsTheFilesUnlessForced(@TempDir Path tmp) throws Exception {
        String first = generate(tmp).strip();
        List<byte[]> before = new ArrayList<>();
        for (String f : FILES) {
            before.add(Files.readAllBytes(tmp.resolve(f)));
        }

        String second = generate(tmp).strip();
        assertThat(second).isEqualTo(first);
        for (int i = 0; i < FILES.size(); i++) {
            assertThat(Files.readAllBytes(tmp.resolve(FILES.get(i)))).as(FILES.get(i)).isEqualTo(before.get(i));
        }

        String forced = generate(tmp, "--force").strip();
        assertThat(forced).isNotEqualTo(first);
        for (int i = 0; i < FILES.size(); i++) {
            assertThat(Files.readAllBytes(tmp.resolve(FILES.get(i)))).as(FILES.get(i)).isNotEqualTo(before.get(i));
        }
    }
}
