package dev.headstart.tls;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Fresh CA and serving pairs from the project's own certs/generate.sh, for the TLS unit tests. */
final class CertificatePairs {

    private CertificatePairs() {
    }

    static Path generate(Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "certs/generate.sh", dir.toString(), "--force")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("certs/generate.sh failed for " + dir);
        }
        return dir;
    }

    static CertificateFiles files(Path dir) throws Exception {
        return CertificateFiles.read(dir.resolve("tls.crt").toString(), dir.resolve("tls.key").toString());
    }
}
